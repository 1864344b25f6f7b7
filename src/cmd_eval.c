/*
 * `wfgen eval (--jsonata EXPR | --jsonpath PATH | --intrinsic CALL) [--input FILE]
 * [--bindings JSON] [--aws] [--context FILE] [--now TIME] [--seed N]`: evaluates one
 * expression against a JSON input, jq-style, and prints the result as canonical JSON.
 *
 * Two JSONata modes:
 *   plain (default)  standard JSONata: the input is the context item `$` (and `$$`);
 *                    --bindings are variables; $eval exists. The conformance suite's
 * mode.
 *   --aws            as Step Functions evaluates {% %}: there is no context item; the
 *                    input is $states.input (and --context is $states.context), other
 *                    --bindings are workflow variables, top-level field references are
 *                    refused and $eval does not exist.
 * Undefined prints nothing (exit 0); an error prints its code, message and a caret under
 * the expression (exit 1).
 */
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "cmd.h"
#include "emit/jout.h"
#include "interp/intrinsics.h"
#include "interp/jpath.h"
#include "interp/jsonata.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct eval_args {
    const char *jsonata, *jsonpath, *intrinsic;
    const char *input, *bindings, *context, *now;
    long seed;
    bool aws, has_seed;
};

/* Prints "error CODE: msg", then the line of expr holding `offset` with a caret. */
static void print_error(const char *expr, size_t offset, const char *code,
                        const char *msg)
{
    size_t len = strlen(expr);
    if (offset > len)
        offset = len;
    size_t ls = offset, le = offset;
    while (ls > 0 && expr[ls - 1] != '\n')
        ls--;
    while (le < len && expr[le] != '\n')
        le++;
    size_t line = 1;
    for (size_t i = 0; i < ls; i++)
        line += expr[i] == '\n';
    if (code)
        fprintf(stderr, "wfgen eval: error %s: %s\n", code, msg);
    else
        fprintf(stderr, "wfgen eval: error: %s\n", msg);
    if (line > 1)
        fprintf(stderr, "  (line %zu)\n", line);
    fprintf(stderr, "  %.*s\n  ", (int)(le - ls), expr + ls);
    for (size_t i = ls; i < offset; i++)
        if (((unsigned char)expr[i] & 0xC0) != 0x80)
            fputc(expr[i] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

/* Reads a JSON document from a file ("-" = standard input); NULL after a message. */
static json_t *load_json_file(const char *path, const char *what, int *rc)
{
    json_error_t je;
    json_t *v;
    if (!strcmp(path, "-")) {
        v = json_loadf(stdin, JSON_DECODE_ANY, &je);
    } else {
        char *buf;
        size_t len;
        if (fs_read_file(path, &buf, &len)) {
            fprintf(stderr, "wfgen eval: cannot read %s '%s': %s\n", what, path,
                    strerror(errno));
            *rc = WF_EXIT_SYSTEM;
            return NULL;
        }
        v = json_loadb(buf, len, JSON_DECODE_ANY, &je);
        free(buf);
    }
    if (!v) {
        fprintf(stderr, "wfgen eval: %s '%s' is not JSON: line %d: %s\n", what, path,
                je.line, je.text);
        *rc = WF_EXIT_INVALID;
    }
    return v;
}

/* Prints a result (NULL: undefined, nothing printed). */
static void print_result(json_t *out)
{
    if (out)
        jout_print(out, stdout);
}

/* --now: milliseconds since the epoch, or an ISO 8601 time read by $toMillis. */
static int parse_now(const char *text, int64_t *ms)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!errno && *text && !*end) {
        *ms = v;
        return 0;
    }
    struct jsonata_err err;
    struct jsonata *j = jsonata_compile("$toMillis($t)", 13, &err);
    json_t *b = json_pack("{s:s}", "t", text), *out = NULL;
    struct jsonata_env env = {0};
    env.bindings = b;
    int rc = j ? jsonata_eval(j, &env, &out, &err) : -1;
    if (rc == 0 && json_is_number(out))
        *ms = (int64_t)json_number_value(out);
    else
        rc = -1;
    json_decref(out);
    json_decref(b);
    jsonata_free(j);
    return rc;
}

/* Strips a {% ... %} wrapper; *skip receives the bytes removed at the front. */
static char *unwrap(const char *text, size_t *skip)
{
    size_t n = strlen(text);
    *skip = 0;
    if (n >= 4 && !strncmp(text, "{%", 2) && !strcmp(text + n - 2, "%}")) {
        *skip = 2;
        return xstrndup(text + 2, n - 4);
    }
    return xstrdup(text);
}

static int run_jsonata(const struct eval_args *a, json_t *input, json_t *bindings,
                       json_t *context)
{
    size_t skip;
    char *expr = unwrap(a->jsonata, &skip);
    struct jsonata_err err;
    int rc = WF_EXIT_OK;
    json_t *out = NULL, *vars = NULL;
    struct jsonata *j = jsonata_compile(expr, strlen(expr), &err);
    if (!j || (a->aws && jsonata_check_aws(j, &err))) {
        print_error(a->jsonata, err.offset + skip, err.code, err.msg);
        rc = WF_EXIT_INVALID;
        goto out;
    }
    struct intr_rng rng;
    intr_rng_seed(&rng, a->has_seed ? (uint64_t)a->seed : (uint64_t)time(NULL));
    struct jsonata_env env = {0};
    env.rng = &rng;
    env.now_ms = (int64_t)time(NULL) * 1000;
    if (a->now && parse_now(a->now, &env.now_ms)) {
        fprintf(stderr,
                "wfgen eval: --now needs milliseconds or an ISO 8601 time, got '%s'\n",
                a->now);
        rc = WF_EXIT_USAGE;
        goto out;
    }
    vars = bindings ? json_copy(bindings) : json_object();
    if (a->aws) {
        env.mode = JSONATA_AWS;
        json_t *states = json_object();
        json_object_set(states, "input", input ? input : json_null());
        json_object_set_new(states, "context",
                            context ? json_incref(context) : json_object());
        json_object_set_new(vars, "states", states);
    } else {
        env.mode = JSONATA_PLAIN;
        env.input = input;
    }
    env.bindings = vars;
    int r = jsonata_eval(j, &env, &out, &err);
    if (r < 0) {
        print_error(a->jsonata, err.offset + skip, err.code, err.msg);
        rc = WF_EXIT_INVALID;
    } else if (r == JSONATA_FUNCTION) {
        fputs("wfgen eval: the expression evaluates to a function, which has no JSON "
              "form\n",
              stderr);
        rc = WF_EXIT_INVALID;
    } else {
        print_result(out);
    }
out:
    json_decref(out);
    json_decref(vars);
    jsonata_free(j);
    free(expr);
    return rc;
}

static int run_jsonpath(const struct eval_args *a, json_t *input, json_t *bindings,
                        json_t *context)
{
    struct jpath_err err;
    struct jpath *p = jpath_compile(a->jsonpath, JPATH_PATH, &err);
    if (!p) {
        print_error(a->jsonpath, err.offset, NULL, err.msg);
        return WF_EXIT_INVALID;
    }
    json_t *out = NULL;
    json_t *root = input ? input : json_null();
    int r = jpath_eval(p, root, context, bindings, &out, &err);
    int rc = WF_EXIT_OK;
    if (r == JPATH_NOT_FOUND) {
        fprintf(stderr, "wfgen eval: %s\n", err.msg);
        rc = WF_EXIT_INVALID;
    } else {
        print_result(out);
    }
    json_decref(out);
    jpath_free(p);
    return rc;
}

static int run_intrinsic(const struct eval_args *a, json_t *input, json_t *bindings,
                         json_t *context)
{
    struct jpath_err err;
    struct intr_call *c = intr_compile(a->intrinsic, &err);
    if (!c) {
        print_error(a->intrinsic, err.offset, NULL, err.msg);
        return WF_EXIT_INVALID;
    }
    struct intr_rng rng;
    intr_rng_seed(&rng, a->has_seed ? (uint64_t)a->seed : (uint64_t)time(NULL));
    struct intr_error ierr;
    json_t *out = NULL;
    int rc = WF_EXIT_OK;
    if (intr_eval(c, input ? input : json_null(), context, bindings, &rng, &out, &ierr)) {
        fprintf(stderr, "wfgen eval: %s: %s\n", ierr.name, ierr.cause);
        rc = WF_EXIT_INVALID;
    } else {
        print_result(out);
    }
    json_decref(out);
    intr_free(c);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    struct eval_args a;
    memset(&a, 0, sizeof(a));
    a.seed = -1;
    const struct opt opts[] = {
        {"jsonata", 0, OPT_STRING, &a.jsonata, "EXPR",
         "JSONata expression (a {% %} wrapper is allowed)"},
        {"jsonpath", 0, OPT_STRING, &a.jsonpath, "PATH",
         "JSONPath path ($.a.b, $$.Execution.Id)"},
        {"intrinsic", 0, OPT_STRING, &a.intrinsic, "CALL",
         "intrinsic function call (States.Format('{}', $.a))"},
        {"input", 'i', OPT_STRING, &a.input, "FILE",
         "input JSON ('-' for stdin): the context item $, or $states.input with --aws"},
        {"bindings", 'b', OPT_STRING, &a.bindings, "JSON",
         "object of variables, e.g. '{\"x\": 1}' binds $x"},
        {"aws", 0, OPT_BOOL, &a.aws, NULL,
         "JSONata as Step Functions runs it: no context item, input in $states.input"},
        {"context", 0, OPT_STRING, &a.context, "FILE",
         "Context object: $$ (JSONPath) or $states.context (--aws)"},
        {"now", 0, OPT_STRING, &a.now, "TIME",
         "clock for $now()/$millis(): epoch milliseconds or ISO 8601 (default: now)"},
        {"seed", 0, OPT_INT, &a.seed, "N",
         "seed for $random()/$uuid() (default: the time)"},
    };
    const struct opt_cmd cmd = {
        "eval",
        "(--jsonata EXPR | --jsonpath PATH | --intrinsic CALL) [--input FILE] "
        "[--bindings JSON] [--aws] [--context FILE] [--now TIME] [--seed N]",
        "evaluate one expression against a JSON input and print the result as JSON "
        "(nothing when undefined)",
        opts,
        (int)ARRAY_SIZE(opts),
        0,
        0};
    int nargs;
    int rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;
    a.has_seed = a.seed >= 0;
    int nlang = !!a.jsonata + !!a.jsonpath + !!a.intrinsic;
    if (nlang != 1) {
        fputs("wfgen eval: give exactly one of --jsonata, --jsonpath, --intrinsic\n",
              stderr);
        return WF_EXIT_USAGE;
    }
    if (a.aws && !a.jsonata) {
        fputs("wfgen eval: --aws applies to --jsonata only\n", stderr);
        return WF_EXIT_USAGE;
    }
    json_t *input = NULL, *bindings = NULL, *context = NULL;
    rc = WF_EXIT_OK;
    if (a.input && !(input = load_json_file(a.input, "input", &rc)))
        goto out;
    if (a.context && !(context = load_json_file(a.context, "context", &rc)))
        goto out;
    if (a.bindings) {
        json_error_t je;
        bindings = json_loads(a.bindings, 0, &je);
        if (!json_is_object(bindings)) {
            fprintf(stderr,
                    "wfgen eval: --bindings needs a JSON object, e.g. '{\"x\": 1}'%s%s\n",
                    bindings ? "" : ": ", bindings ? "" : je.text);
            rc = WF_EXIT_USAGE;
            goto out;
        }
    }
    if (a.jsonata)
        rc = run_jsonata(&a, input, bindings, context);
    else if (a.jsonpath)
        rc = run_jsonpath(&a, input, bindings, context);
    else
        rc = run_intrinsic(&a, input, bindings, context);
out:
    json_decref(input);
    json_decref(bindings);
    json_decref(context);
    return rc;
}
