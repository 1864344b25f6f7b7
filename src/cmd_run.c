/*
 * wfgen run --local (KEY | -d FILE) [--input JSON | --input-file F] [--scheduled-time T]
 *                   [--mocks F [--case NAME] [--state-machine NAME]] [--strict-mocks]
 *                   [--context F] [--trace] [--history F] [--format text|json] [--seed N]
 *                   [--name NAME] [--items-dir DIR] [--redrive HISTORY]
 * Loads a catalog workflow (expanded as `build` does) or any ASL file, runs it on the
 * local interpreter and prints the result; exit 5 when the execution did not succeed.
 */
#include "asl/validate.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "catalog.h"
#include "build.h"
#include "cmd.h"
#include "emit/jout.h"
#include "interp/interp.h"
#include "yload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_START "2026-01-01T00:00:00Z"

struct run_args {
    bool local, trace, strict;
    const char *catalog, *def, *input, *input_file, *sched, *mocks, *mcase, *machine;
    const char *context, *history, *format, *name, *items, *redrive;
    long seed;
};

struct run_ctx {
    struct diag_list dl;
    struct catalog cat;
    bool have_cat;
    struct ydoc def;
    bool have_def;
    struct mock mock;
    bool have_mock;
    json_t *input, *context, *redrive;
    char *machine_name, *role_arn;
    const struct workflow *wf;
};

/* Prints the diagnostics gathered so far (stderr) and returns WF_EXIT_INVALID. */
static int invalid(struct run_ctx *rc)
{
    diag_print(&rc->dl, DIAG_TEXT, stderr);
    return WF_EXIT_INVALID;
}

/* Loads a JSON or YAML file; returns 0 or an exit code (message printed). */
static int load_file(struct run_ctx *rc, const char *path, const char *what, json_t **out)
{
    struct ydoc doc;
    int r = yload_file(&doc, path, &rc->dl);
    if (r == -2) {
        fprintf(stderr, "wfgen run: cannot read %s '%s': %s\n", what, path,
                strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    if (r)
        return invalid(rc);
    *out = json_incref(doc.root);
    ydoc_release(&doc);
    return 0;
}

/* Loads the catalog workflow KEY and expands its definition as `build` does. */
static int load_workflow(struct run_ctx *rc, const struct run_args *a, const char *key)
{
    const char *path = a->catalog ? a->catalog : "workflows.yaml";
    rc->have_cat = true;
    int r = cmd_find_workflow("run", path, key, &rc->cat, &rc->dl, &rc->wf);
    if (r)
        return r;
    /* Exactly the machine `build` emits: expanded, validated and wrapped. */
    r = build_load_definition(&rc->cat, rc->wf, &rc->def, &rc->dl);
    if (r == -2)
        return WF_EXIT_SYSTEM;
    if (r)
        return invalid(rc);
    rc->have_def = true;
    rc->machine_name = xstrdup(rc->wf->names.state_machine);
    rc->role_arn = xasprintf("arn:%s:iam::%s:role/%s", rc->cat.partition,
                             rc->cat.account_id, rc->wf->names.role);
    return 0;
}

static int load_definition(struct run_ctx *rc, const struct run_args *a, const char *key)
{
    if (key)
        return load_workflow(rc, a, key);
    int r = yload_file(&rc->def, a->def, &rc->dl);
    if (r == -2) {
        fprintf(stderr, "wfgen run: cannot read '%s': %s\n", a->def, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    if (r)
        return invalid(rc);
    rc->have_def = true;
    rc->machine_name = a->machine ? xstrdup(a->machine) : fs_definition_stem(a->def);
    return 0;
}

/* The execution input: --input, --input-file, or {} ({"scheduled_time"} for a KEY). */
static int load_input(struct run_ctx *rc, const struct run_args *a, int64_t start)
{
    if (a->input) {
        json_error_t je;
        rc->input = json_loads(a->input, JSON_DECODE_ANY, &je);
        if (!rc->input) {
            fprintf(stderr, "wfgen run: --input is not JSON: %s\n", je.text);
            return WF_EXIT_USAGE;
        }
    } else if (a->input_file) {
        int r = load_file(rc, a->input_file, "input file", &rc->input);
        if (r)
            return r;
    } else {
        rc->input = json_object();
    }
    if (rc->wf && json_is_object(rc->input) &&
        (a->sched || !json_object_get(rc->input, "scheduled_time"))) {
        char when[32];
        interp_format_time(start, when);
        strcpy(when + 19, "Z"); /* the scheduler's form has no milliseconds */
        json_t *copy = json_copy(rc->input);
        json_object_set_new(copy, "scheduled_time", json_string(when));
        json_decref(rc->input);
        rc->input = copy;
    }
    return 0;
}

static int load_mocks(struct run_ctx *rc, const struct run_args *a)
{
    if (!a->mocks) {
        if (a->mcase) {
            fprintf(stderr, "wfgen run: --case needs --mocks\n");
            return WF_EXIT_USAGE;
        }
        return 0;
    }
    json_t *doc;
    int r = load_file(rc, a->mocks, "mock file", &doc);
    if (r)
        return r;
    char *err = NULL;
    r = mock_parse(&rc->mock, doc, &err);
    json_decref(doc);
    if (!r) {
        rc->have_mock = true;
        r = mock_select(&rc->mock, a->machine, a->mcase, &err);
    }
    if (r) {
        fprintf(stderr, "wfgen run: %s: %s\n", a->mocks, err);
        free(err);
        return WF_EXIT_INVALID;
    }
    return 0;
}

/* Loads a saved history and checks that it can be redriven. */
static int load_redrive(struct run_ctx *rc, const char *path)
{
    int code = load_file(rc, path, "history", &rc->redrive);
    if (code)
        return code;
    char *why = NULL;
    if (interp_redrivable(rc->redrive, &why)) {
        fprintf(stderr, "wfgen run: cannot redrive '%s': %s\n", path, why);
        free(why);
        return WF_EXIT_INVALID;
    }
    return 0;
}

static void print_text(const struct interp_result *res, int64_t start, FILE *out)
{
    fprintf(out, "status: %s\n", interp_status_name(res->status));
    if (res->status != INTERP_SUCCEEDED) {
        fprintf(out, "error: %s\n", res->error ? res->error : "(none)");
        fprintf(out, "cause: %s\n", res->cause ? res->cause : "(none)");
    }
    int64_t s = (res->end_ms - start) / 1000;
    fprintf(out, "states entered: %ld, history events: %ld\n", res->states, res->events);
    fprintf(out, "virtual time: %lldh %02lldm %02llds\n", (long long)(s / 3600),
            (long long)(s / 60 % 60), (long long)(s % 60));
    if (res->status == INTERP_SUCCEEDED) {
        fputs("output:\n", out);
        jout_print(res->output, out);
    }
}

static void print_json(const struct interp_result *res, FILE *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(interp_status_name(res->status)));
    if (res->status == INTERP_SUCCEEDED) {
        json_object_set(o, "output", res->output);
    } else {
        json_object_set_new(o, "error",
                            res->error ? json_string(res->error) : json_null());
        json_object_set_new(o, "cause",
                            res->cause ? json_string(res->cause) : json_null());
    }
    jout_print(o, out);
    json_decref(o);
}

static int write_history(const char *path, json_t *history)
{
    size_t len;
    char *text = jout_dump(history, &len);
    int r = fs_write_atomic(path, text, len);
    free(text);
    if (r) {
        fprintf(stderr, "wfgen run: cannot write '%s': %s\n", path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    return 0;
}

/* Validates, runs and reports. Returns the exit code. */
static int execute(struct run_ctx *rc, const struct run_args *a, int64_t start)
{
    /* Catalog workflows were validated while loading; only errors stop a run. */
    struct asl_opts aopts = {.allow_placeholders = true};
    if (!rc->wf && asl_validate(&rc->def, rc->def.root, &aopts, &rc->dl))
        return invalid(rc);
    struct interp_opts o = {
        .partition = rc->have_cat ? rc->cat.partition : NULL,
        .region = rc->have_cat ? rc->cat.region : NULL,
        .account_id = rc->have_cat ? rc->cat.account_id : NULL,
        .machine_name = rc->machine_name,
        .exec_name = a->name,
        .role_arn = rc->role_arn,
        .start_ms = start,
        .seed = (uint64_t)a->seed,
        .mocks = rc->have_mock ? &rc->mock : NULL,
        .strict_mocks = a->strict,
        .context = rc->context,
        .trace = a->trace ? stderr : NULL,
        .dryrun = stderr,
        .history = a->history != NULL,
        .item_dir = a->items,
        .redrive = rc->redrive,
    };
    struct interp_result res;
    interp_run(rc->def.root, rc->input, &o, &res);
    int code = res.status == INTERP_SUCCEEDED ? WF_EXIT_OK : WF_EXIT_FAILED;
    if (a->history && write_history(a->history, res.history))
        code = WF_EXIT_SYSTEM;
    if (!strcmp(a->format, "json"))
        print_json(&res, stdout);
    else
        print_text(&res, start, stdout);
    interp_result_release(&res);
    return code;
}

static int check_args(const struct run_args *a, int nargs)
{
    if (!a->local) {
        fputs("wfgen run: only local runs exist; add --local\n", stderr);
        return WF_EXIT_USAGE;
    }
    if ((nargs == 1) == (a->def != NULL)) {
        fputs("wfgen run: give a workflow KEY or -d FILE (one of them)\n", stderr);
        return WF_EXIT_USAGE;
    }
    if (a->redrive && (a->input || a->input_file)) {
        fputs("wfgen run: --redrive reuses the saved run's input; drop --input\n",
              stderr);
        return WF_EXIT_USAGE;
    }
    if (a->input && a->input_file) {
        fputs("wfgen run: --input and --input-file exclude each other\n", stderr);
        return WF_EXIT_USAGE;
    }
    if (strcmp(a->format, "text") && strcmp(a->format, "json")) {
        fprintf(stderr, "wfgen run: unknown format '%s' (text or json)\n", a->format);
        return WF_EXIT_USAGE;
    }
    return 0;
}

static void ctx_release(struct run_ctx *rc)
{
    if (rc->have_mock)
        mock_release(&rc->mock);
    if (rc->have_def)
        ydoc_release(&rc->def);
    if (rc->have_cat)
        catalog_release(&rc->cat);
    json_decref(rc->input);
    json_decref(rc->context);
    json_decref(rc->redrive);
    free(rc->machine_name);
    free(rc->role_arn);
    diag_release(&rc->dl);
}

int cmd_run(int argc, char **argv)
{
    struct run_args a = {.format = "text"};
    const struct opt opts[] = {
        {"local", 0, OPT_BOOL, &a.local, NULL, "run on the local interpreter (required)"},
        {"definition", 'd', OPT_STRING, &a.def, "FILE",
         "run this ASL file (JSON or YAML)"},
        {"catalog", 'c', OPT_STRING, &a.catalog, "FILE",
         "catalog (default workflows.yaml)"},
        {"input", 0, OPT_STRING, &a.input, "JSON", "execution input"},
        {"input-file", 0, OPT_STRING, &a.input_file, "FILE",
         "execution input from a file"},
        {"scheduled-time", 0, OPT_STRING, &a.sched, "ISO8601",
         "virtual start time (default " DEFAULT_START ")"},
        {"mocks", 0, OPT_STRING, &a.mocks, "FILE", "Step Functions Local mock config"},
        {"case", 0, OPT_STRING, &a.mcase, "NAME", "test case in the mock file"},
        {"state-machine", 0, OPT_STRING, &a.machine, "NAME",
         "state machine in the mock file (and its name)"},
        {"strict-mocks", 0, OPT_BOOL, &a.strict, NULL, "an unmocked Task fails the run"},
        {"context", 0, OPT_STRING, &a.context, "FILE",
         "JSON merged into the Context object"},
        {"trace", 0, OPT_BOOL, &a.trace, NULL, "print each state's data flow on stderr"},
        {"history", 0, OPT_STRING, &a.history, "FILE", "write the execution history"},
        {"format", 0, OPT_STRING, &a.format, "FMT", "text or json (default text)"},
        {"seed", 0, OPT_INT, &a.seed, "N",
         "seed for UUIDs, tokens and jitter (default 0)"},
        {"name", 0, OPT_STRING, &a.name, "NAME", "execution name (default local)"},
        {"items-dir", 0, OPT_STRING, &a.items, "DIR",
         "folder standing in for S3 (distributed Map; default .)"},
        {"redrive", 0, OPT_STRING, &a.redrive, "HISTORY",
         "re-enter a failed run from its saved --history file"},
    };
    const struct opt_cmd cmd = {
        "run",
        "--local (KEY | -d FILE) [--input JSON | --input-file F] [--scheduled-time T] "
        "[--mocks F [--case NAME]] [--trace] [--history F] [--format text|json]",
        "Interpret a state machine offline on a virtual clock and print the result.",
        opts,
        (int)ARRAY_SIZE(opts),
        0,
        1};
    int nargs, code = opt_parse(&cmd, argc, argv, &nargs);
    if (code >= 0)
        return code;
    if ((code = check_args(&a, nargs)))
        return code;
    int64_t start;
    if (interp_parse_time(a.sched ? a.sched : DEFAULT_START, &start)) {
        fprintf(stderr,
                "wfgen run: --scheduled-time '%s' is not an ISO-8601 date-time such "
                "as " DEFAULT_START "\n",
                a.sched);
        return WF_EXIT_USAGE;
    }
    struct run_ctx rc = {.dl = DIAG_LIST_INIT};
    code = load_definition(&rc, &a, nargs ? argv[0] : NULL);
    if (!code)
        code = load_input(&rc, &a, start);
    if (!code)
        code = load_mocks(&rc, &a);
    if (!code && a.context) {
        code = load_file(&rc, a.context, "context file", &rc.context);
        if (!code && !json_is_object(rc.context)) {
            fprintf(stderr, "wfgen run: the context file must hold an object\n");
            code = WF_EXIT_INVALID;
        }
    }
    if (!code && a.redrive)
        code = load_redrive(&rc, a.redrive);
    if (!code)
        code = execute(&rc, &a, start);
    ctx_release(&rc);
    return code;
}
