/*
 * The EventBridge Scheduler emitter: out/schedules/<key>.json, the schedule of one
 * workflow (name, group, canonical expression, time zone, state, flexible window and
 * the Step Functions target with its input, retry policy and dead-letter queue).
 */
#ifndef WFGEN_EMIT_SCHEDULER_H
#define WFGEN_EMIT_SCHEDULER_H

#include "catalog.h"
#include "emit/emit.h"

#include <jansson.h>

/*
 * Returns the schedule document (new reference), keys in CreateSchedule order: Name,
 * GroupName, ScheduleExpression, ScheduleExpressionTimezone, Description (when set),
 * State, FlexibleTimeWindow, Target.
 */
json_t *emit_schedule_json(const struct catalog *cat, const struct workflow *wf);
/* Adds schedules/<key>.json to `out`. */
void emit_schedule(const struct catalog *cat, const struct workflow *wf,
                   struct outset *out);

#endif
