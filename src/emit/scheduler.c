/*
 * The EventBridge Scheduler emitter (aws-facts.md 5.3-5.5): one JSON document per
 * workflow with a templated Step Functions target whose input carries the scheduled
 * time, the run identity for dedupe and for the Dates extension.
 */
#include "emit/scheduler.h"

#include "base/xalloc.h"
#include "emit/jout.h"
#include "schedule.h"

#include <stdlib.h>

/* The execution input every schedule sends: {"scheduled_time":"<...scheduled-time>"}. */
static json_t *target_input(void)
{
    json_t *in = json_object();
    json_object_set_new(in, "scheduled_time",
                        json_string("<aws.scheduler.scheduled-time>"));
    char *text = jout_compact(in);
    json_t *s = json_string(text);
    free(text);
    json_decref(in);
    return s;
}

/* New reference: the Target object. */
static json_t *target_json(const struct catalog *cat, const struct workflow *wf)
{
    json_t *t = json_object();
    char *arn = xasprintf("arn:%s:states:%s:%s:stateMachine:%s", cat->partition,
                          cat->region, cat->account_id, wf->names.state_machine);
    char *role = xasprintf("arn:%s:iam::%s:role/%s", cat->partition, cat->account_id,
                           wf->names.scheduler_role);
    json_object_set_new(t, "Arn", json_string(arn));
    json_object_set_new(t, "RoleArn", json_string(role));
    json_object_set_new(t, "Input", target_input());
    json_t *retry = json_object();
    json_object_set_new(retry, "MaximumEventAgeInSeconds",
                        json_integer(wf->scheduler.max_event_age));
    json_object_set_new(retry, "MaximumRetryAttempts",
                        json_integer(wf->scheduler.max_attempts));
    json_object_set_new(t, "RetryPolicy", retry);
    const char *dlq = wf->scheduler.dead_letter_queue;
    if (dlq && *dlq)
        json_object_set_new(t, "DeadLetterConfig", json_pack("{s:s}", "Arn", dlq));
    free(arn);
    free(role);
    return t;
}

json_t *emit_schedule_json(const struct catalog *cat, const struct workflow *wf)
{
    struct sched_expr e;
    struct sched_err err;
    /* catalog_load checked the expression; the raw text is a fallback, not a path. */
    const char *expr = sched_parse(wf->schedule, &e, &err) ? wf->schedule : e.canon;
    json_t *s = json_object();
    json_object_set_new(s, "Name", json_string(wf->names.schedule));
    json_object_set_new(s, "GroupName", json_string(wf->names.group));
    json_object_set_new(s, "ScheduleExpression", json_string(expr));
    json_object_set_new(s, "ScheduleExpressionTimezone", json_string(wf->timezone));
    if (wf->description && *wf->description)
        json_object_set_new(s, "Description", json_string(wf->description));
    json_object_set_new(s, "State", json_string(wf->enabled ? "ENABLED" : "DISABLED"));
    json_object_set_new(s, "FlexibleTimeWindow", json_pack("{s:s}", "Mode", "OFF"));
    json_object_set_new(s, "Target", target_json(cat, wf));
    return s;
}

void emit_schedule(const struct catalog *cat, const struct workflow *wf,
                   struct outset *out)
{
    json_t *doc = emit_schedule_json(cat, wf);
    outset_add_json(out, doc, "schedules/%s.json", wf->key);
    json_decref(doc);
}
