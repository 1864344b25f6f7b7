/*
 * Task states: the Resource ARN (service integration, aws-sdk, direct Lambda,
 * activity), task tokens, per-attempt timeouts and heartbeats, the Task, LambdaFunction
 * and Activity history events, answers from mocks, and the typical successful result
 * of each integration for dry runs without a mock.
 */
#include "interp/exec.h"

#include "base/crypto.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdlib.h>
#include <string.h>

enum res_kind { RES_SERVICE, RES_LAMBDA, RES_ACTIVITY };

struct resource {
    enum res_kind kind;
    char *type;          /* resourceType: "ecs", "aws-sdk:dynamodb", "lambda" */
    char *action;        /* resource: "runTask.sync", "getItem", the ARN for Lambda */
    char *base;          /* action without its pattern: "runTask" */
    const char *pattern; /* "", ".sync", ".sync:2", ".waitForTaskToken" */
    char *region;        /* region in the ARN, or NULL */
};

static const char *const patterns[] = {".sync:2", ".sync", ".waitForTaskToken"};

/* Splits a Resource ARN into the fields the events and defaults need. */
static void resource_parse(const char *arn, struct resource *r)
{
    memset(r, 0, sizeof(*r));
    r->pattern = "";
    char *parts[8] = {0};
    char *copy = xstrdup(arn);
    size_t n = 0;
    for (char *p = copy; n < 8;) {
        parts[n++] = p;
        char *c = n < 7 ? strchr(p, ':') : NULL;
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    bool arn_ok = n >= 6 && !strcmp(parts[0], "arn");
    if (arn_ok && !strcmp(parts[2], "lambda") && !strcmp(parts[5], "function")) {
        r->kind = RES_LAMBDA;
        r->type = xstrdup("lambda");
        r->action = xstrdup(arn);
    } else if (arn_ok && !strcmp(parts[2], "states") && !strcmp(parts[5], "activity")) {
        r->kind = RES_ACTIVITY;
        r->type = xstrdup("activity");
        r->action = xstrdup(arn);
    } else if (arn_ok && n == 7 && !strcmp(parts[5], "aws-sdk")) {
        char *c = strchr(parts[6], ':');
        r->type = c ? xasprintf("aws-sdk:%.*s", (int)(c - parts[6]), parts[6])
                    : xstrdup("aws-sdk");
        r->action = xstrdup(c ? c + 1 : parts[6]);
    } else if (arn_ok && n == 7) {
        r->type = xstrdup(parts[5]);
        r->action = xstrdup(parts[6]);
    } else {
        r->type = xstrdup("unknown");
        r->action = xstrdup(arn);
    }
    if (arn_ok && parts[3][0])
        r->region = xstrdup(parts[3]);
    r->base = xstrdup(r->action);
    for (size_t i = 0; r->kind == RES_SERVICE && i < ARRAY_SIZE(patterns); i++) {
        size_t bl = strlen(r->base), pl = strlen(patterns[i]);
        if (bl > pl && !strcmp(r->base + bl - pl, patterns[i])) {
            r->base[bl - pl] = '\0';
            r->pattern = patterns[i];
            break;
        }
    }
    free(copy);
}

static void resource_release(struct resource *r)
{
    free(r->type);
    free(r->action);
    free(r->base);
    free(r->region);
}

static bool is_callback(const struct resource *r)
{
    return r->kind == RES_ACTIVITY || !strcmp(r->pattern, ".waitForTaskToken");
}

/* ---- events
 * ------------------------------------------------------------------------------ */

/* Event names per resource kind: "<Prefix>Scheduled", "<dprefix>ScheduledEventDetails".
 */
static const struct {
    const char *prefix, *dprefix;
} kinds[] = {
    [RES_SERVICE] = {"Task", "task"},
    [RES_LAMBDA] = {"LambdaFunction", "lambdaFunction"},
    [RES_ACTIVITY] = {"Activity", "activity"},
};

static void task_event(struct visit *v, const struct resource *r, const char *what,
                       json_t *d)
{
    char key[80] = "";
    if (d)
        snprintf(key, sizeof(key), "%s%sEventDetails", kinds[r->kind].dprefix, what);
    if (d && r->kind == RES_SERVICE) {
        /* resourceType and resource come first, as in AWS's events */
        json_t *full = json_object();
        json_object_set_new(full, "resourceType", json_string(r->type));
        json_object_set_new(full, "resource", json_string(r->action));
        json_object_update(full, d);
        json_decref(d);
        d = full;
    }
    hist_add_parts(v->t, kinds[r->kind].prefix, what, key, NULL, d);
}

static json_t *details(struct visit *v)
{
    return v->t->ex->events ? json_object() : NULL;
}

static void ev_scheduled(struct visit *v, const struct resource *r, json_t *params,
                         long timeout, long heartbeat)
{
    json_t *d = details(v);
    if (d && r->kind == RES_SERVICE) {
        json_object_set_new(d, "region",
                            json_string(r->region ? r->region : v->t->ex->region));
        json_object_set_new(d, "parameters", hist_text(params));
    } else if (d) {
        json_object_set_new(d, "resource", json_string(r->action));
        json_object_set_new(d, "input", hist_text(params));
        json_object_set_new(d, "inputDetails", hist_truncated());
    }
    if (d && timeout > 0)
        json_object_set_new(d, "timeoutInSeconds", json_integer(timeout));
    if (d && heartbeat > 0 && r->kind != RES_LAMBDA)
        json_object_set_new(d, "heartbeatInSeconds", json_integer(heartbeat));
    task_event(v, r, "Scheduled", d);
    d = NULL;
    if (r->kind == RES_SERVICE) {
        d = details(v);
    } else if (r->kind == RES_ACTIVITY && v->t->ex->events) {
        d = json_object();
        json_object_set_new(d, "workerName", json_string("wfgen-local"));
    }
    task_event(v, r, "Started", d);
}

static void ev_output(struct visit *v, const struct resource *r, const char *what,
                      json_t *out)
{
    json_t *d = details(v);
    if (d) {
        json_object_set_new(d, "output", hist_text(out));
        json_object_set_new(d, "outputDetails", hist_truncated());
    }
    task_event(v, r, what, d);
}

static void ev_failed(struct visit *v, const struct resource *r, const char *what,
                      const struct fail *f)
{
    json_t *d = details(v);
    if (d && f->error)
        json_object_set_new(d, "error", json_string(f->error));
    if (d && f->cause)
        json_object_set_new(d, "cause", json_string(f->cause));
    task_event(v, r, what, d);
}

/* ---- dry-run results
 * --------------------------------------------------------------------- */

struct dry {
    struct visit *v;
    json_t *params;
    const struct resource *r;
};

static json_t *uuid_string(struct exec *ex)
{
    char id[40];
    exec_uuid(ex, id);
    return json_string(id);
}

static const char *param_str(json_t *params, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(params, key));
    return s ? s : dflt;
}

/* The last ':' or '/' separated part of an ARN or name. */
static const char *last_part(const char *s)
{
    const char *p = strrchr(s, '/');
    return p ? p + 1 : s;
}

static json_t *dry_empty(struct dry *d)
{
    (void)d;
    return json_object();
}

static json_t *dry_lambda(struct dry *d)
{
    (void)d;
    json_t *o = json_object();
    json_object_set_new(o, "ExecutedVersion", json_string("$LATEST"));
    json_object_set_new(o, "Payload", json_object());
    json_object_set_new(o, "StatusCode", json_integer(200));
    return o;
}

/* One ECS container description for the dry-run task. */
static json_t *ecs_container(struct dry *d, const char *name, const char *task_arn,
                             bool done)
{
    struct exec *ex = d->v->t->ex;
    char id[40];
    exec_uuid(ex, id);
    json_t *c = json_object();
    json_object_set_new(c, "ContainerArn",
                        json_sprintf("arn:%s:ecs:%s:%s:container/%s", ex->partition,
                                     ex->region, ex->account, id));
    if (done)
        json_object_set_new(c, "ExitCode", json_integer(0));
    json_object_set_new(c, "LastStatus", json_string(done ? "STOPPED" : "PENDING"));
    json_object_set_new(c, "Name", json_string(name));
    json_object_set_new(c, "TaskArn", json_string(task_arn));
    return c;
}

static json_t *ecs_task(struct dry *d, bool done)
{
    struct exec *ex = d->v->t->ex;
    const char *cluster = last_part(param_str(d->params, "Cluster", "default"));
    const char *td = last_part(param_str(d->params, "TaskDefinition", "task"));
    char *family = xstrdup(td);
    char *colon = strchr(family, ':');
    if (colon)
        *colon = '\0';
    char hex[40];
    snprintf(hex, sizeof(hex), "%016llx%016llx", (unsigned long long)exec_random(ex),
             (unsigned long long)exec_random(ex));
    char *task_arn = xasprintf("arn:%s:ecs:%s:%s:task/%s/%s", ex->partition, ex->region,
                               ex->account, cluster, hex);
    json_int_t now = d->v->t->now;
    json_t *t = json_object();
    json_t *att = json_object();
    json_object_set_new(att, "Details", json_array());
    json_object_set_new(att, "Id", uuid_string(ex));
    json_object_set_new(att, "Status", json_string(done ? "DELETED" : "PRECREATED"));
    json_object_set_new(att, "Type", json_string("ElasticNetworkInterface"));
    json_t *atts = json_array();
    json_array_append_new(atts, att);
    json_object_set_new(t, "Attachments", atts);
    json_object_set_new(t, "ClusterArn",
                        json_sprintf("arn:%s:ecs:%s:%s:cluster/%s", ex->partition,
                                     ex->region, ex->account, cluster));
    json_t *containers = json_array();
    json_t *ovr =
        json_object_get(json_object_get(d->params, "Overrides"), "ContainerOverrides");
    size_t i;
    json_t *co;
    json_array_foreach(ovr, i, co)
    {
        const char *name = json_string_value(json_object_get(co, "Name"));
        if (name)
            json_array_append_new(containers, ecs_container(d, name, task_arn, done));
    }
    if (json_array_size(containers) == 0)
        json_array_append_new(containers, ecs_container(d, family, task_arn, done));
    json_object_set_new(t, "Containers", containers);
    json_object_set_new(t, "CreatedAt", json_integer(now));
    json_object_set_new(t, "DesiredStatus", json_string(done ? "STOPPED" : "RUNNING"));
    json_object_set_new(t, "Group", json_sprintf("family:%s", family));
    json_object_set_new(t, "LastStatus", json_string(done ? "STOPPED" : "PROVISIONING"));
    json_object_set_new(t, "LaunchType",
                        json_string(param_str(d->params, "LaunchType", "FARGATE")));
    json_t *o = json_object_get(d->params, "Overrides");
    json_object_set_new(t, "Overrides", o ? json_incref(o) : json_object());
    if (done) {
        json_object_set_new(t, "StartedAt", json_integer(now));
        json_object_set_new(t, "StartedBy", json_string("AWS Step Functions"));
        json_object_set_new(t, "StopCode", json_string("EssentialContainerExited"));
        json_object_set_new(t, "StoppedAt", json_integer(now));
        json_object_set_new(t, "StoppedReason",
                            json_string("Essential container in task "
                                        "exited"));
        json_object_set_new(t, "StoppingAt", json_integer(now));
    }
    json_object_set_new(t, "TaskArn", json_string(task_arn));
    json_object_set_new(t, "TaskDefinitionArn",
                        json_sprintf("arn:%s:ecs:%s:%s:task-definition/%s%s",
                                     ex->partition, ex->region, ex->account, td,
                                     colon ? "" : ":1"));
    free(task_arn);
    free(family);
    return t;
}

static json_t *dry_ecs(struct dry *d)
{
    if (d->r->pattern[0] == '.' && !strncmp(d->r->pattern, ".sync", 5))
        return ecs_task(d, true);
    json_t *o = json_object();
    json_object_set_new(o, "Failures", json_array());
    json_t *tasks = json_array();
    json_array_append_new(tasks, ecs_task(d, false));
    json_object_set_new(o, "Tasks", tasks);
    return o;
}

static json_t *dry_sns(struct dry *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "MessageId", uuid_string(d->v->t->ex));
    return o;
}

static json_t *dry_sqs(struct dry *d)
{
    json_t *body = json_object_get(d->params, "MessageBody");
    char *text = json_is_string(body) ? xstrdup(json_string_value(body))
                                      : jout_compact(body ? body : json_null());
    char hex[CRYPTO_HEX_MAX];
    if (crypto_digest_hex("MD5", 3, text, strlen(text), hex))
        strcpy(hex, "00000000000000000000000000000000"); /* no libcrypto: a stand-in */
    free(text);
    json_t *o = json_object();
    json_object_set_new(o, "MD5OfMessageBody", json_string(hex));
    json_object_set_new(o, "MessageId", uuid_string(d->v->t->ex));
    return o;
}

static json_t *dry_sfn(struct dry *d)
{
    struct exec *ex = d->v->t->ex;
    const char *sm = param_str(d->params, "StateMachineArn", "");
    const char *smname = strrchr(sm, ':') ? strrchr(sm, ':') + 1 : sm;
    json_t *name = json_object_get(d->params, "Name");
    json_t *o = json_object();
    name = json_is_string(name) ? json_incref(name) : uuid_string(ex);
    json_object_set_new(o, "ExecutionArn",
                        json_sprintf("arn:%s:states:%s:%s:execution:%s:%s", ex->partition,
                                     ex->region, ex->account, smname,
                                     json_string_value(name)));
    char when[32];
    interp_format_time(d->v->t->now, when);
    if (strncmp(d->r->pattern, ".sync", 5)) {
        json_object_set_new(o, "StartDate", json_string(when));
        json_decref(name);
        return o;
    }
    bool v2 = !strcmp(d->r->pattern, ".sync:2");
    json_t *input = json_object_get(d->params, "Input");
    if (!input)
        input = json_object();
    else
        json_incref(input);
    json_t *output = json_object();
    if (!v2) {
        json_t *s = json_is_string(input) ? json_incref(input) : hist_text(input);
        json_decref(input);
        input = s;
        json_decref(output);
        output = json_string("{}");
    }
    json_object_set_new(o, "Input", input);
    json_object_set_new(o, "InputDetails", json_pack("{s:b}", "Included", 1));
    json_object_set_new(o, "Name", name);
    json_object_set_new(o, "Output", output);
    json_object_set_new(o, "OutputDetails", json_pack("{s:b}", "Included", 1));
    json_object_set_new(o, "StartDate", json_string(when));
    json_object_set_new(o, "StateMachineArn", json_string(sm));
    json_object_set_new(o, "Status", json_string("SUCCEEDED"));
    json_object_set_new(o, "StopDate", json_string(when));
    return o;
}

static json_t *dry_events(struct dry *d)
{
    json_t *entries = json_array();
    size_t n = json_array_size(json_object_get(d->params, "Entries"));
    for (size_t i = 0; i < (n ? n : 1); i++)
        json_array_append_new(entries,
                              json_pack("{s:o}", "EventId", uuid_string(d->v->t->ex)));
    return json_pack("{s:o,s:i}", "Entries", entries, "FailedEntryCount", 0);
}

static json_t *dry_http(struct dry *d)
{
    (void)d;
    return json_pack("{s:{},s:{},s:i,s:s}", "Headers", "ResponseBody", "StatusCode", 200,
                     "StatusText", "OK");
}

static json_t *dry_batch(struct dry *d)
{
    json_t *id = uuid_string(d->v->t->ex);
    struct exec *ex = d->v->t->ex;
    const char *name = param_str(d->params, "JobName", "job");
    json_t *o = json_object();
    json_object_set_new(o, "JobArn",
                        json_sprintf("arn:%s:batch:%s:%s:job/%s", ex->partition,
                                     ex->region, ex->account, json_string_value(id)));
    json_object_set_new(o, "JobId", id);
    json_object_set_new(o, "JobName", json_string(name));
    if (!strncmp(d->r->pattern, ".sync", 5))
        json_object_set_new(o, "Status", json_string("SUCCEEDED"));
    return o;
}

static json_t *dry_glue(struct dry *d)
{
    char id[48];
    snprintf(id, sizeof(id), "jr_%016llx%016llx",
             (unsigned long long)exec_random(d->v->t->ex),
             (unsigned long long)exec_random(d->v->t->ex));
    if (strncmp(d->r->pattern, ".sync", 5))
        return json_pack("{s:s}", "JobRunId", id);
    return json_pack("{s:s,s:s,s:s}", "Id", id, "JobName",
                     param_str(d->params, "JobName", "job"), "JobRunState", "SUCCEEDED");
}

/* Typical successful results by resourceType and action (NULL: any action). */
static const struct {
    const char *type, *action;
    json_t *(*fn)(struct dry *d);
} dry_results[] = {
    {"lambda", "invoke", dry_lambda},      {"ecs", "runTask", dry_ecs},
    {"sns", "publish", dry_sns},           {"sqs", "sendMessage", dry_sqs},
    {"states", "startExecution", dry_sfn}, {"events", "putEvents", dry_events},
    {"http", "invoke", dry_http},          {"batch", "submitJob", dry_batch},
    {"glue", "startJobRun", dry_glue},
};

static json_t *dry_result(struct visit *v, json_t *params, const struct resource *r)
{
    struct dry d = {v, params, r};
    for (size_t i = 0; r->kind == RES_SERVICE && i < ARRAY_SIZE(dry_results); i++)
        if (!strcmp(dry_results[i].type, r->type) &&
            !strcmp(dry_results[i].action, r->base))
            return dry_results[i].fn(&d);
    return dry_empty(&d);
}

static void dry_print(struct visit *v, const char *resource, json_t *params)
{
    FILE *out = v->t->ex->o->dryrun;
    if (!out)
        return;
    char *text = jout_dump(params, NULL);
    fprintf(out, "dry run: Task '%s' calls %s with:\n%s", v->name, resource, text);
    free(text);
}

/* ---- timeouts
 * ------------------------------------------------------------------------------ */

/*
 * TimeoutSeconds / HeartbeatSeconds or their *Path variant (JSONata: a literal or an
 * expression); 0 when absent.
 */
static int seconds_field(struct visit *v, json_t *eff, const char *field, enum sfield f,
                         enum sfield fpath, long *out)
{
    *out = 0;
    json_t *lit = vfield(v, f);
    if (v->jsonata && lit) {
        int64_t n;
        if (visit_ja_integer(v, field, lit, 1, 99999999, &n))
            return -1;
        *out = (long)n;
        return 0;
    }
    if (json_is_integer(lit)) {
        *out = (long)json_integer_value(lit);
        return 0;
    }
    json_t *p = vfield(v, fpath);
    if (!json_is_string(p))
        return 0;
    char pathf[40];
    snprintf(pathf, sizeof(pathf), "%sPath", field);
    json_t *val;
    struct expr_err err = {0};
    if (expr_path(&v->env, pathf, json_string_value(p), eff, &val, &err))
        return visit_expr_fail(v, &err);
    bool ok = json_is_integer(val) && json_integer_value(val) > 0 &&
              json_integer_value(val) <= 99999999;
    if (ok)
        *out = (long)json_integer_value(val);
    json_decref(val);
    if (!ok)
        return visit_runtime(v, "The %s field must reference a positive integer: %s",
                             pathf, json_string_value(p));
    return 0;
}

/* ---- the call
 * -------------------------------------------------------------------------------- */

static unsigned long next_invocation(struct exec *ex, const char *state)
{
    json_t *n = json_object_get(ex->calls, state);
    unsigned long k = n ? (unsigned long)json_integer_value(n) : 0;
    json_object_set_new(ex->calls, state, json_integer((json_int_t)k + 1));
    return k;
}

/* Answers from the mock, or from the dry-run defaults. Returns 0/-1 (failure in v->f). */
static int answer(struct visit *v, const struct resource *r, const char *resource,
                  json_t *params, struct mock_answer *a, json_t **result)
{
    struct exec *ex = v->t->ex;
    unsigned long k = next_invocation(ex, v->name);
    if (ex->o->mocks)
        mock_lookup(ex->o->mocks, v->name, k, a);
    else
        memset(a, 0, sizeof(*a));
    switch (a->kind) {
    case MOCK_UNMOCKED:
        if (ex->o->strict_mocks)
            return visit_runtime(v,
                                 "No mocked response for this Task state%s%s%s and "
                                 "--strict-mocks is set",
                                 ex->o->mocks ? " in test case '" : "",
                                 ex->o->mocks ? ex->o->mocks->case_name : "",
                                 ex->o->mocks ? "'" : "");
        dry_print(v, resource, params);
        *result = dry_result(v, params, r);
        return 0;
    case MOCK_MISSING:
        return visit_runtime(v,
                             "The mocked response '%s' of test case '%s' has no entry "
                             "for invocation \"%lu\" of this state",
                             a->response, ex->o->mocks->case_name, k);
    case MOCK_THROW: {
        char *cause = !a->cause                  ? NULL
                      : json_is_string(a->cause) ? xstrdup(json_string_value(a->cause))
                                                 : jout_compact(a->cause);
        visit_error(v, a->error, cause);
        free(cause);
        return -1;
    }
    case MOCK_RETURN:
        *result = json_incref(a->result);
        return 0;
    }
    return -1;
}

/* Adds $$.Task.Token to the visit's Context object when the Task is a callback. */
static void add_token(struct visit *v, const struct resource *r)
{
    if (!is_callback(r) || r->kind == RES_ACTIVITY)
        return;
    char a[40], b[40];
    exec_uuid(v->t->ex, a);
    exec_uuid(v->t->ex, b);
    json_t *task = json_object();
    json_object_set_new(task, "Token", json_sprintf("AQ%s%s", a, b));
    json_object_set_new(visit_ctx(v), "Task", task);
}

void task_resource_free(struct resource *r)
{
    if (!r)
        return;
    resource_release(r);
    free(r);
}

/* The state's parsed Resource (kept in its plan), or NULL when it has none. */
static const struct resource *plan_resource(struct visit *v)
{
    const char *res = json_string_value(vfield(v, SF_RESOURCE));
    if (!res)
        return NULL;
    if (!v->plan->res) {
        v->plan->res = xmalloc(sizeof(*v->plan->res));
        resource_parse(res, v->plan->res);
    }
    return v->plan->res;
}

void task_prepare(struct visit *v)
{
    const struct resource *r = plan_resource(v);
    if (r)
        add_token(v, r);
}

/* Applies the call's duration against the timeout and heartbeat. Returns 0 or -1. */
static int elapse(struct visit *v, const struct resource *r, double duration,
                  long timeout, long heartbeat)
{
    if (duration <= 0)
        return 0;
    int64_t ms = (int64_t)(duration * 1000 + 0.5);
    const char *err = NULL;
    if (timeout > 0 && ms >= (int64_t)timeout * 1000) {
        ms = (int64_t)timeout * 1000;
        err = "States.Timeout";
    } else if (heartbeat > 0 && is_callback(r) && ms >= (int64_t)heartbeat * 1000) {
        ms = (int64_t)heartbeat * 1000;
        err = "States.HeartbeatTimeout";
    }
    if (exec_advance(v->t, ms, &v->f))
        return -1;
    if (!err)
        return 0;
    visit_error(v, err, NULL);
    ev_failed(v, r, "TimedOut", &v->f);
    return -1;
}

int task_run(struct visit *v, json_t *eff, json_t *params, json_t **result)
{
    *result = NULL;
    const char *res = json_string_value(vfield(v, SF_RESOURCE));
    if (!res)
        return visit_runtime(v, "The Task state has no Resource");
    long timeout, heartbeat;
    if (seconds_field(v, eff, "TimeoutSeconds", SF_TIMEOUT_SECONDS,
                      SF_TIMEOUT_SECONDS_PATH, &timeout) ||
        seconds_field(v, eff, "HeartbeatSeconds", SF_HEARTBEAT_SECONDS,
                      SF_HEARTBEAT_SECONDS_PATH, &heartbeat))
        return -1;
    const struct resource *r = plan_resource(v);
    ev_scheduled(v, r, params, timeout, heartbeat);
    if (r->kind == RES_SERVICE && r->pattern[0]) {
        json_t *submitted = json_object();
        ev_output(v, r, "Submitted", submitted);
        json_decref(submitted);
    }
    struct mock_answer a;
    int rc = answer(v, r, res, params, &a, result);
    if (v->f.kind == FK_RUNTIME && rc)
        return rc;
    if (elapse(v, r, a.duration, timeout, heartbeat)) {
        json_decref(*result);
        *result = NULL;
        return -1;
    }
    if (rc)
        ev_failed(v, r, "Failed", &v->f);
    else
        ev_output(v, r, "Succeeded", *result);
    return rc;
}
