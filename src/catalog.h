/*
 * The catalog (workflows.yaml, SPEC section 2): load, check every key, merge defaults
 * into each workflow, derive names. After catalog_load() succeeds every field below
 * is filled and valid; emitters read it and never re-check.
 */
#ifndef WFGEN_CATALOG_H
#define WFGEN_CATALOG_H

#include "diag.h"
#include "naming.h"
#include "yload.h"

#include <jansson.h>
#include <stdbool.h>

struct wf_logging {
    const char *level;   /* ALL, ERROR, FATAL, OFF */
    long retention_days; /* one of CloudWatch Logs' values; 0 = never expire */
    bool include_execution_data;
};

struct wf_ecs {
    const char *cluster;     /* name, not ARN */
    const char *launch_type; /* FARGATE, EC2, EXTERNAL */
    const char *container;   /* container name for overrides */
    json_t *subnets;         /* borrowed array of strings (may be empty) */
    json_t *security_groups; /* borrowed array of strings (may be empty) */
    bool assign_public_ip;
    const char *task_role; /* role names; PassRole is limited to these */
    const char *execution_role;
    long timeout;             /* seconds; 0 = unset */
    json_t *task_definitions; /* borrowed object: short name -> family, or NULL */
};

struct wf_scheduler {
    long max_attempts;             /* 0-185 */
    long max_event_age;            /* seconds, 60-86400 */
    const char *dead_letter_queue; /* SQS ARN or NULL */
};

struct wf_alarms {
    bool failed, timed_out, aborted, missed_run;
    const char *sns_topic; /* ARN or NULL */
};

/* What an execution does when every concurrency slot is taken (SPEC section 7). */
enum wf_on_conflict {
    WF_CONFLICT_SKIP, /* succeed at once with {"skipped":"concurrency"} */
    WF_CONFLICT_FAIL, /* fail with Wfgen.ConcurrencyLimitReached */
    WF_CONFLICT_WAIT, /* retry with backoff for up to `lease`, then fail */
};

struct wf_concurrency {
    long limit;                      /* executions at once; 0 = no limit (no wrapping) */
    enum wf_on_conflict on_conflict; /* default skip */
    long lease;                      /* seconds a slot stays reserved without a release;
                                        default: the workflow timeout */
};

struct wf_datadog {
    const char *forwarder_arn; /* Datadog Forwarder Lambda ARN; NULL = no wiring */
    json_t *tags;              /* borrowed object of strings, or NULL */
    const char *log_level;     /* logging level while forwarding; NULL = logging.level */
};

struct workflow {
    const char *key;
    const char *schedule;    /* cron(...), rate(...), at(...) */
    const char *description; /* "" when absent */
    char *definition;        /* path relative to the catalog folder */
    char *definition_path;   /* path to open: catalog folder + definition */
    bool enabled;
    const char *timezone; /* IANA name */
    long timeout;         /* workflow TimeoutSeconds */
    bool tracing;
    struct wf_logging logging;
    struct wf_ecs ecs;
    struct wf_scheduler scheduler;
    struct wf_alarms alarms;
    json_t *tags;        /* borrowed object of strings (merged defaults + own) */
    json_t *iam_extra;   /* borrowed array of IAM statements, or NULL */
    json_t *concurrency; /* borrowed; NULL when absent */
    bool dedupe;
    struct wf_concurrency conc; /* concurrency parsed; conc.limit 0 when absent */
    bool pii;                   /* inputs hold personal data (warns on logging them) */
    struct wf_datadog datadog;  /* monitoring.datadog */
    struct wf_names names;
    json_t *node;     /* borrowed: the workflow's mapping, for locations */
    json_t *settings; /* new: defaults merged with the workflow's own keys;
                         the strings above point into it */
};

struct catalog {
    struct ydoc doc;
    char *dir; /* folder of the catalog file ("." when none) */
    const char *project, *env;
    const char *region, *account_id, *partition;
    json_t *vars;           /* borrowed object (may be empty) */
    char *templates_dir;    /* NULL: the built-in templates */
    struct cat_names names; /* catalog-wide resource names (naming.h) */
    struct workflow *wf;
    size_t nwf;
};

/*
 * Loads and checks a catalog. Returns 0 when usable (warnings may have been added),
 * -1 when error diagnostics were added, -2 when the file cannot be read (errno set).
 * The catalog must be released with catalog_release() in every case.
 */
int catalog_load(struct catalog *cat, const char *path, struct diag_list *dl);
void catalog_release(struct catalog *cat);
const struct workflow *catalog_find(const struct catalog *cat, const char *key);
/* The workflow key closest to a misspelt one (borrowed), or NULL when none is close. */
const char *catalog_suggest_key(const struct catalog *cat, const char *key);

/* Parses "30s", "15m", "2h", "1d" (or a bare number of seconds); -1 if malformed. */
long catalog_parse_duration(const char *s);

#endif
