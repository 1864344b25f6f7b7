/*
 * Terraform emitter; see terraform.h. Builds the template variables (above all the
 * per-workflow `workflows` map that becomes workflows.tf, and the catalog-wide `ops`
 * object) and renders the four templates; adds the catalog-level JSON files the
 * templates read (cleanup state machine and its policy, operator policy). Names come
 * from naming.h; nothing here composes an AWS name except the alarm names, which
 * naming.h does not cover (state machine name plus a short suffix, always within
 * CloudWatch's 255 characters).
 */
#include "emit/terraform.h"

#include "base/fsutil.h"
#include "base/pfor.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/iam.h"
#include "emit/jout.h"
#include "emit/tmpl.h"
#include "schedule.h"
#include "wrap.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The generated files, rendered from "<name>.tf.tmpl" into "terraform/<name>.tf". */
static const char *const tf_files[] = {"versions", "workflows", "main", "outputs"};

/* ---- small json helpers ----------------------------------------------------------- */

static void set_str(json_t *o, const char *key, const char *s)
{
    json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static void set_int(json_t *o, const char *key, long n)
{
    json_object_set_new(o, key, json_integer(n));
}

static void set_bool(json_t *o, const char *key, bool b)
{
    json_object_set_new(o, key, json_boolean(b));
}

/* ---- alarms ------------------------------------------------------------------------ */

/* Execution-count alarms: the catalog flag, the AWS/States metric, the name suffix. */
static const struct {
    size_t flag; /* offset of the bool in struct wf_alarms */
    const char *metric;
    const char *suffix;
} execution_alarms[] = {
    {offsetof(struct wf_alarms, failed), "ExecutionsFailed", "failed"},
    {offsetof(struct wf_alarms, timed_out), "ExecutionsTimedOut", "timed-out"},
    {offsetof(struct wf_alarms, aborted), "ExecutionsAborted", "aborted"},
};

static bool alarm_flag(const struct wf_alarms *a, size_t off)
{
    bool b;
    memcpy(&b, (const char *)a + off, sizeof(b));
    return b;
}

/* Returns a new object: metric name -> alarm name, for each alarm the workflow wants. */
static json_t *alarms_new(const struct workflow *wf)
{
    json_t *o = json_object();
    for (size_t i = 0; i < ARRAY_SIZE(execution_alarms); i++) {
        if (!alarm_flag(&wf->alarms, execution_alarms[i].flag))
            continue;
        char *name =
            xasprintf("%s-%s", wf->names.state_machine, execution_alarms[i].suffix);
        set_str(o, execution_alarms[i].metric, name);
        free(name);
    }
    return o;
}

/*
 * Periods tried for the missed-run alarm, shortest first. CloudWatch caps period x
 * evaluation periods at one day for periods under an hour and at seven days from an
 * hour up (PutMetricAlarm); MISSED_MAX_EVALS keeps the alarm readable.
 */
static const long missed_periods[] = {60, 300, 900, 3600, 21600};
#define MISSED_MAX_EVALS  30
#define MISSED_SCAN_FIRES 3000           /* fire times looked at per cron schedule */
#define MISSED_SCAN_SPAN  (370L * 86400) /* a year of clock changes, and then some */

static const long unit_seconds[] = {
    [SCHED_MINUTES] = 60, [SCHED_HOURS] = 3600, [SCHED_DAYS] = 86400};

/*
 * The longest time between two consecutive fire times, in seconds, or -1 when there
 * is no such bound (one-time schedules, crons that fire fewer than twice). Crons are
 * walked from the validator's fixed scan start, so the answer does not depend on the
 * clock and includes the 23- or 25-hour days of DST changes.
 */
static long longest_gap(const struct sched_expr *e, const char *tz)
{
    if (e->kind == SCHED_RATE)
        return e->rate * unit_seconds[e->unit];
    if (e->kind != SCHED_CRON)
        return -1;

    int64_t prev, next, gap = -1;
    if (sched_first(e, tz, SCHED_DST_SCAN_FROM, &prev))
        return -1;
    for (int n = 0; n < MISSED_SCAN_FIRES; n++) {
        if (sched_next(e, tz, prev, &next))
            break;
        if (next - prev > gap)
            gap = next - prev;
        prev = next;
        if (prev - SCHED_DST_SCAN_FROM > MISSED_SCAN_SPAN)
            break;
    }
    return gap > 7L * 86400 ? -1 : (long)gap;
}

/*
 * Returns a new object {alarm_name, period, evaluation_periods} for the missed-run
 * alarm (no execution succeeded), or a new null when the workflow wants none or its
 * schedule has no usable bound. Two successes can be as far apart as the longest gap
 * between fire times plus the state machine's timeout (a quick run, then one that
 * takes all its time), so that is the window, plus one period of slack for a finish
 * that slips into the next period.
 */
static json_t *missed_run_new(const struct workflow *wf, const struct sched_expr *e,
                              bool parsed)
{
    if (!wf->alarms.missed_run || !wf->enabled || !parsed)
        return json_null();
    long gap = longest_gap(e, wf->timezone);
    if (gap <= 0)
        return json_null();
    long span = gap + wrap_timeout(wf, wf->timeout);
    for (size_t i = 0; i < ARRAY_SIZE(missed_periods); i++) {
        long p = missed_periods[i];
        long evals = (span + p - 1) / p + 1;
        long cap = p < 3600 ? 86400 : 7 * 86400;
        if (evals > MISSED_MAX_EVALS || evals * p > cap)
            continue;
        json_t *o = json_object();
        char *name = xasprintf("%s-missed-run", wf->names.state_machine);
        set_str(o, "alarm_name", name);
        set_int(o, "period", p);
        set_int(o, "evaluation_periods", evals);
        free(name);
        return o;
    }
    return json_null();
}

/* ---- operational features -------------------------------------------------------- */

static const char *const conflict_names[] = {[WF_CONFLICT_SKIP] = "skip",
                                             [WF_CONFLICT_FAIL] = "fail",
                                             [WF_CONFLICT_WAIT] = "wait"};

/* Returns a new {limit, on_conflict, lease_seconds}, or a new null without a limit. */
static json_t *concurrency_new(const struct workflow *wf)
{
    if (wf->conc.limit <= 0)
        return json_null();
    return json_pack("{s:I,s:s,s:I}", "limit", (json_int_t)wf->conc.limit, "on_conflict",
                     conflict_names[wf->conc.on_conflict], "lease_seconds",
                     (json_int_t)wf->conc.lease);
}

/* Returns a new {rule_name, sns_topic_arn} for status-change events, or a new null. */
static json_t *status_events_new(const struct workflow *wf)
{
    if (!wf->alarms.sns_topic)
        return json_null();
    return json_pack("{s:s,s:s}", "rule_name", wf->names.status_rule, "sns_topic_arn",
                     wf->alarms.sns_topic);
}

/* Returns a new {forwarder_arn, filter_name, permission_id}, or a new null. */
static json_t *datadog_new(const struct workflow *wf)
{
    if (!wf->datadog.forwarder_arn)
        return json_null();
    return json_pack("{s:s,s:s,s:s}", "forwarder_arn", wf->datadog.forwarder_arn,
                     "filter_name", wf->names.datadog_filter, "permission_id",
                     wf->names.datadog_permission);
}

/* The workflow's tags, with the Datadog tags laid over them when Datadog is wired. */
static json_t *tags_new(const struct workflow *wf)
{
    json_t *t = wf->tags ? json_copy(wf->tags) : json_object();
    if (wf->datadog.forwarder_arn && wf->datadog.tags)
        json_object_update(t, wf->datadog.tags);
    return t;
}

static const char *log_level(const struct workflow *wf)
{
    return wf->datadog.forwarder_arn && wf->datadog.log_level ? wf->datadog.log_level
                                                              : wf->logging.level;
}

/* Catalog-level output files, beside the per-workflow ones (names start with '_'). */
#define CLEANUP_ASL     "state_machines/_wfgen_cleanup.asl.json"
#define CLEANUP_POLICY  "iam/_wfgen_cleanup.policy.json"
#define OPERATOR_POLICY "iam/_wfgen_operator.policy.json"

static bool any_workflow(const struct catalog *cat, bool (*pred)(const struct workflow *))
{
    for (size_t i = 0; i < cat->nwf; i++)
        if (pred(&cat->wf[i]))
            return true;
    return false;
}

static bool limited(const struct workflow *wf)
{
    return wf->conc.limit > 0;
}

/* Log retention of the cleanup machine: defaults.logging.retention_days, else 30. */
static long catalog_retention(const struct catalog *cat)
{
    json_t *d = json_object_get(json_object_get(cat->doc.root, "defaults"), "logging");
    json_t *r = json_object_get(d, "retention_days");
    return json_is_integer(r) ? (long)json_integer_value(r) : 30;
}

/* Catalog-wide tags: defaults.tags of the catalog file, when it has one. */
static json_t *catalog_tags_new(const struct catalog *cat)
{
    json_t *t = json_object_get(json_object_get(cat->doc.root, "defaults"), "tags");
    return json_is_object(t) ? json_copy(t) : json_object();
}

/*
 * Returns a new object: the catalog-wide operational resources (SPEC section 7) that
 * main.tf creates once: the locks table (null when no workflow needs it), the cleanup
 * state machine (null without concurrency limits) and the operator policy.
 */
static json_t *ops_new(const struct catalog *cat, const struct cat_names *nm)
{
    json_t *o = json_object();
    set_str(o, "locks_table_name",
            any_workflow(cat, wrap_needed) ? nm->locks_table : NULL);
    set_str(o, "hash_key", WRAP_HASH_KEY);
    set_str(o, "ttl_attribute", WRAP_TTL_ATTRIBUTE);
    if (any_workflow(cat, limited)) {
        json_t *c = json_object();
        set_str(c, "state_machine_name", nm->cleanup_machine);
        set_str(c, "definition_file", "../" CLEANUP_ASL);
        set_str(c, "role_name", nm->cleanup_role);
        set_str(c, "policy_name", nm->cleanup_role);
        set_str(c, "policy_file", "../" CLEANUP_POLICY);
        set_str(c, "log_group_name", nm->cleanup_log_group);
        set_int(c, "log_retention_days", catalog_retention(cat));
        set_str(c, "rule_name", nm->cleanup_rule);
        set_str(c, "events_role_name", nm->events_role);
        json_object_set_new(o, "cleanup", c);
    } else {
        json_object_set_new(o, "cleanup", json_null());
    }
    set_str(o, "operator_policy_name", nm->operator_policy);
    set_str(o, "operator_policy_file", "../" OPERATOR_POLICY);
    json_object_set_new(o, "tags", catalog_tags_new(cat));
    return o;
}

/* ---- the workflows map ------------------------------------------------------------- */

/* Returns a new object: everything main.tf needs about one workflow, in a fixed order. */
static json_t *workflow_new(const struct workflow *wf)
{
    const struct wf_names *nm = &wf->names;
    json_t *o = json_object();
    struct sched_expr e;
    struct sched_err err;
    memset(&e, 0, sizeof(e));
    bool parsed = wf->schedule && !sched_parse(wf->schedule, &e, &err);
    char *def = xasprintf("../state_machines/%s.asl.json", wf->key);
    char *pol = xasprintf("../iam/%s.policy.json", wf->key);

    set_str(o, "state_machine_name", nm->state_machine);
    set_str(o, "definition_file", def);
    set_str(o, "role_name", nm->role);
    set_str(o, "policy_name", nm->policy);
    set_str(o, "policy_file", pol);
    set_str(o, "callback_policy_file", NULL); /* set by tf_emit when the file exists */
    set_str(o, "log_group_name", nm->log_group);
    set_int(o, "log_retention_days", wf->logging.retention_days);
    set_str(o, "log_level", log_level(wf));
    set_bool(o, "include_execution_data", wf->logging.include_execution_data);
    set_bool(o, "tracing_enabled", wf->tracing);
    set_str(o, "schedule_name", nm->schedule);
    set_str(o, "schedule_group", nm->group);
    set_str(o, "schedule_expression", parsed ? e.canon : wf->schedule);
    set_str(o, "schedule_timezone", wf->timezone);
    set_str(o, "schedule_state", wf->enabled ? "ENABLED" : "DISABLED");
    set_str(o, "description",
            wf->description && *wf->description ? wf->description : NULL);
    set_str(o, "scheduler_role_name", nm->scheduler_role);
    set_int(o, "retry_max_attempts", wf->scheduler.max_attempts);
    set_int(o, "retry_max_event_age", wf->scheduler.max_event_age);
    set_str(o, "dead_letter_queue_arn", wf->scheduler.dead_letter_queue);
    json_object_set_new(o, "alarms", alarms_new(wf));
    json_object_set_new(o, "alarm_actions", json_array());
    if (wf->alarms.sns_topic)
        json_array_append_new(json_object_get(o, "alarm_actions"),
                              json_string(wf->alarms.sns_topic));
    json_object_set_new(o, "missed_run", missed_run_new(wf, &e, parsed));
    json_object_set_new(o, "status_events", status_events_new(wf));
    json_object_set_new(o, "concurrency", concurrency_new(wf));
    set_bool(o, "dedupe", wf->dedupe);
    json_object_set_new(o, "datadog", datadog_new(wf));
    json_object_set_new(o, "tags", tags_new(wf));

    free(def);
    free(pol);
    return o;
}

/* The schedule group: every workflow's names carry it; without workflows, derive it. */
static char *group_name(const struct catalog *cat)
{
    if (cat->nwf)
        return xstrdup(cat->wf[0].names.group);
    struct wf_names nm;
    naming_derive(&nm, cat->project, cat->env, "none");
    char *g = xstrdup(nm.group);
    naming_release(&nm);
    return g;
}

struct wf_vars {
    const struct catalog *cat;
    json_t **v;
};

static void workflow_vars_one(size_t i, void *ctx)
{
    struct wf_vars *w = ctx;
    w->v[i] = workflow_new(&w->cat->wf[i]);
}

/* Every workflow's variables, made on the thread pool, keyed in catalog order. */
static json_t *workflows_new(const struct catalog *cat)
{
    json_t *wfs = json_object();
    struct wf_vars w = {cat, xcalloc(cat->nwf + 1, sizeof(json_t *))};
    pfor(cat->nwf, 0, workflow_vars_one, &w);
    for (size_t i = 0; i < cat->nwf; i++)
        json_object_set_new(wfs, cat->wf[i].key, w.v[i]);
    free(w.v);
    return wfs;
}

static void decref_one(size_t i, void *ctx)
{
    json_decref(((json_t **)ctx)[i]);
}

/* Frees template variables; a large catalog's workflow entries are freed on the pool. */
static void template_vars_release(json_t *vars)
{
    json_t *wfs = json_object_get(vars, "workflows"), *v;
    size_t n = json_object_size(wfs), i = 0;
    json_t **each = xcalloc(n + 1, sizeof(*each));
    const char *key;
    json_object_foreach(wfs, key, v)
    {
        each[i++] = json_incref(v);
    }
    json_object_clear(wfs);
    json_decref(vars);
    pfor(n, 0, decref_one, each);
    free(each);
}

json_t *tf_template_vars(const struct catalog *cat)
{
    json_t *vars = json_object(), *aws = json_object(), *tf = json_object();
    json_t *provider = json_object();
    char *group = group_name(cat);

    set_str(vars, "project", cat->project);
    set_str(vars, "env", cat->env);
    set_str(vars, "group", group);
    set_str(aws, "region", cat->region);
    set_str(aws, "account_id", cat->account_id);
    set_str(aws, "partition", cat->partition ? cat->partition : "aws");
    json_object_set_new(vars, "aws", aws);
    set_str(tf, "required_version", TF_REQUIRED_VERSION);
    set_str(provider, "source", TF_AWS_PROVIDER);
    set_str(provider, "version", TF_AWS_VERSION);
    json_object_set_new(tf, "aws_provider", provider);
    json_object_set_new(vars, "terraform", tf);
    json_object_set_new(vars, "workflows", workflows_new(cat));
    struct cat_names nm;
    naming_derive_catalog(&nm, cat->project, cat->env);
    json_object_set_new(vars, "ops", ops_new(cat, &nm));
    naming_release_catalog(&nm);

    free(group);
    return vars;
}

/* ---- rendering ------------------------------------------------------------------ */

/* Where templates are read from; the built-in folder is looked up once, on demand. */
struct tf_dirs {
    const char *own; /* the catalog's templates folder, or NULL */
    char *builtin;
    bool looked_up;
};

/*
 * Returns the folder to read template `name` from, or NULL after an error: the
 * catalog's own folder when it holds that file (a catalog may override only some
 * templates), else the built-in folder.
 */
static const char *template_dir(struct tf_dirs *d, const char *name, struct diag_list *dl)
{
    if (d->own) {
        char *path = fs_join(d->own, name);
        bool found = fs_exists(path);
        free(path);
        if (found)
            return d->own;
    }
    if (!d->looked_up) {
        d->looked_up = true;
        d->builtin = tmpl_builtin_dir();
        if (!d->builtin) {
            struct loc none = {NULL, 0, 0, 0};
            diag_add(dl, D_BUILD_TEMPLATE, none, "built-in templates not found");
            diag_note(dl, "set WFGEN_TEMPLATES to a folder holding %s", name);
        }
    }
    return d->builtin;
}

/* Returns a new Allow statement; steals `actions`. */
static json_t *statement_new(const char *sid, json_t *actions, const char *resource)
{
    return json_pack("{s:s,s:s,s:o,s:[s]}", "Sid", sid, "Effect", "Allow", "Action",
                     actions, "Resource", resource);
}

/*
 * Returns a NEW policy for people and CI operating the catalog's workflows: start,
 * stop, describe, redrive and list executions. Every state machine of the catalog
 * (the cleanup machine included) is named {project}-{env}-..., so a name prefix keeps
 * the document the same size however many workflows there are.
 */
static json_t *operator_policy_new(const struct catalog *cat, const struct cat_names *nm)
{
    const char *p = cat->partition ? cat->partition : "aws";
    char *sm = xasprintf("arn:%s:states:%s:%s:stateMachine:%s*", p, cat->region,
                         cat->account_id, nm->sm_prefix);
    char *ex = xasprintf("arn:%s:states:%s:%s:execution:%s*:*", p, cat->region,
                         cat->account_id, nm->sm_prefix);
    json_t *pol = json_pack(
        "{s:s,s:[o,o,o]}", "Version", "2012-10-17", "Statement",
        statement_new("ListStateMachines", json_pack("[s]", "states:ListStateMachines"),
                      "*"),
        statement_new("OperateStateMachines",
                      json_pack("[s,s,s]", "states:DescribeStateMachine",
                                "states:ListExecutions", "states:StartExecution"),
                      sm),
        statement_new("OperateExecutions",
                      json_pack("[s,s,s,s,s]", "states:DescribeExecution",
                                "states:DescribeStateMachineForExecution",
                                "states:GetExecutionHistory", "states:RedriveExecution",
                                "states:StopExecution"),
                      ex));
    free(sm);
    free(ex);
    return pol;
}

/*
 * Adds the catalog-level JSON files: the operator policy, and the cleanup state
 * machine with its execution-role policy when a workflow has a concurrency limit.
 * Returns 0, or -1 after adding diagnostics (nothing added then).
 */
static int emit_ops_files(const struct catalog *cat, struct outset *out,
                          struct diag_list *dl)
{
    struct cat_names nm;
    naming_derive_catalog(&nm, cat->project, cat->env);
    json_t *cleanup = wrap_cleanup_new(cat), *cleanup_policy = NULL;
    int rc = 0;
    if (cleanup) {
        struct iam_ctx ictx = {
            .partition = cat->partition ? cat->partition : "aws",
            .region = cat->region,
            .account_id = cat->account_id,
            .state_machine_name = nm.cleanup_machine,
            .ecs_cluster = "default",
            .log_group_name = nm.cleanup_log_group,
        };
        cleanup_policy = iam_policy_new(&ictx, NULL, cleanup, dl);
        if (!cleanup_policy)
            rc = -1;
    }
    if (!rc) {
        json_t *op = operator_policy_new(cat, &nm);
        outset_add_json(out, op, "%s", OPERATOR_POLICY);
        json_decref(op);
        if (cleanup) {
            outset_add_json(out, cleanup, "%s", CLEANUP_ASL);
            outset_add_json(out, cleanup_policy, "%s", CLEANUP_POLICY);
        }
    }
    json_decref(cleanup);
    json_decref(cleanup_policy);
    naming_release_catalog(&nm);
    return rc;
}

/*
 * Points callback_policy_file of each workflow whose build wrote
 * iam/<key>.callback.policy.json (it has an ECS callback step) at that file.
 */
static void set_callback_policies(const struct catalog *cat, const struct outset *out,
                                  json_t *vars)
{
    json_t *wfs = json_object_get(vars, "workflows");
    for (size_t i = 0; i < cat->nwf; i++) {
        const char *key = cat->wf[i].key;
        char *path = xasprintf("iam/%s.callback.policy.json", key);
        if (outset_find(out, path)) {
            char *rel = xasprintf("../%s", path);
            set_str(json_object_get(wfs, key), "callback_policy_file", rel);
            free(rel);
        }
        free(path);
    }
}

int tf_emit(const struct catalog *cat, struct outset *out, struct diag_list *dl)
{
    struct strbuf text[ARRAY_SIZE(tf_files)];
    struct tf_dirs dirs = {cat->templates_dir, NULL, false};
    json_t *vars = tf_template_vars(cat);
    int rc = 0;
    set_callback_policies(cat, out, vars);

    for (size_t i = 0; i < ARRAY_SIZE(tf_files); i++) {
        char *name = xasprintf("%s.tf.tmpl", tf_files[i]);
        const char *dir = template_dir(&dirs, name, dl);
        strbuf_init(&text[i]);
        if (!dir || tmpl_render_file(dir, name, vars, &text[i], dl))
            rc = -1;
        free(name);
    }
    if (!rc && emit_ops_files(cat, out, dl))
        rc = -1;
    for (size_t i = 0; i < ARRAY_SIZE(tf_files); i++) {
        if (!rc) {
            char *path = xasprintf("terraform/%s.tf", tf_files[i]);
            size_t len;
            char *data = strbuf_detach(&text[i], &len);
            outset_add(out, path, data, len);
            free(path);
        }
        strbuf_release(&text[i]);
    }
    template_vars_release(vars);
    free(dirs.builtin);
    return rc;
}
