/*
 * Unit tests for the definition extensions (ext.h): references and their escaping in
 * intrinsic and JSONata form, the Ecs expansion (JSONPath, JSONata, callback, exit-code
 * routing, limits, diagnostics), Dates (shifts, pictures, zone offsets, the Output
 * expression) and the workflow timeout.
 */
#include "helpers.h"

#include "base/xalloc.h"
#include "catalog.h"
#include "expand.h"
#include "ext.h"
#include "interp/intrinsics.h"
#include "interp/jsonata.h"
#include "yload.h"

#include <stdio.h>

/* ---- fixture: a catalog and a workflow without a catalog file -------------------- */

struct fx {
    struct catalog cat;
    struct workflow wf;
    struct ydoc def;
    struct diag_list dl;
    json_t *subnets, *sgs, *taskdefs;
};

static void fx_init(struct fx *f, const char *tz)
{
    memset(f, 0, sizeof(*f));
    f->cat.project = "acme";
    f->cat.env = "dev";
    f->cat.region = "eu-west-1";
    f->cat.account_id = "111122223333";
    f->cat.partition = "aws";
    f->subnets = json_pack("[s]", "subnet-1");
    f->sgs = json_pack("[s]", "sg-1");
    f->taskdefs = json_pack("{s:s}", "agg", "sales-aggregator");
    f->wf.key = "sales";
    f->wf.timezone = tz;
    f->wf.timeout = 3600;
    f->wf.ecs = (struct wf_ecs){
        .cluster = "jobs",
        .launch_type = "FARGATE",
        .container = "app",
        .subnets = f->subnets,
        .security_groups = f->sgs,
        .task_role = "job-task",
        .execution_role = "job-exec",
        .timeout = 1800,
        .task_definitions = f->taskdefs,
    };
}

/* Loads `yaml` as the definition and expands it; returns expand_extensions' result. */
static int fx_expand(struct fx *f, const char *yaml)
{
    assert_int_equal(yload_mem(&f->def, "def.yaml", yaml, strlen(yaml), &f->dl), 0);
    return expand_extensions(&f->cat, &f->wf, &f->def, &f->dl);
}

static void fx_release(struct fx *f)
{
    ydoc_release(&f->def);
    diag_release(&f->dl);
    json_decref(f->subnets);
    json_decref(f->sgs);
    json_decref(f->taskdefs);
}

/* The state `name` of the expanded top-level machine (borrowed). */
static json_t *state_of(struct fx *f, const char *name)
{
    return json_object_get(json_object_get(f->def.root, "States"), name);
}

/* Keys of an object joined by ',' (a new string), to check key order. */
static char *keys_of(const json_t *o)
{
    struct strbuf sb = STRBUF_INIT;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        strbuf_adds(&sb, sb.len ? "," : "");
        strbuf_adds(&sb, k);
    }
    return strbuf_detach(&sb, NULL);
}

#define assert_keys(obj, expected)                                                       \
    do {                                                                                 \
        char *k_ = keys_of(obj);                                                         \
        assert_string_equal(k_, expected);                                               \
        free(k_);                                                                        \
    } while (0)

/* ---- references ------------------------------------------------------------------ */

static void assert_intrinsic(const char *src, const char *expected)
{
    struct ext_tmpl t;
    struct ext_ref_err err;
    assert_int_equal(ext_tmpl_parse(src, &t, &err), 0);
    struct strbuf sb = STRBUF_INIT;
    ext_tmpl_intrinsic(&sb, &t);
    assert_string_equal(sb.buf, expected);
    strbuf_release(&sb);
    ext_tmpl_release(&t);
}

static void assert_jsonata(const char *src, const char *expected)
{
    struct ext_tmpl t;
    struct ext_ref_err err;
    assert_int_equal(ext_tmpl_parse(src, &t, &err), 0);
    struct strbuf sb = STRBUF_INIT;
    ext_tmpl_jsonata(&sb, &t);
    assert_string_equal(sb.buf, expected);
    strbuf_release(&sb);
    ext_tmpl_release(&t);
}

static void assert_parse_error(const char *src, size_t off)
{
    struct ext_tmpl t;
    struct ext_ref_err err;
    assert_int_equal(ext_tmpl_parse(src, &t, &err), -1);
    assert_int_equal(err.off, off);
    assert_true(err.msg[0] != '\0');
}

static void test_ext_parse_parts(void **state)
{
    (void)state;
    struct ext_tmpl t;
    struct ext_ref_err err;
    assert_int_equal(ext_tmpl_parse("--shop={$.shop_id}/{% $x + 1 %}!", &t, &err), 0);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.v[0].kind, EXT_LIT);
    assert_string_equal(t.v[0].text, "--shop=");
    assert_int_equal(t.v[1].kind, EXT_PATH);
    assert_string_equal(t.v[1].text, "$.shop_id");
    assert_int_equal(t.v[1].off, 7);
    assert_int_equal(t.v[3].kind, EXT_JSONATA);
    assert_string_equal(t.v[3].text, "$x + 1"); /* trimmed */
    assert_string_equal(t.v[4].text, "!");
    ext_tmpl_release(&t);

    /* Braces not followed by $ or % are text; {{$ and {{% are literal {$ and {%. */
    assert_int_equal(ext_tmpl_parse("{\"a\":{b}} {{$.x} {{% y %}", &t, &err), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.v[0].text, "{\"a\":{b}} {$.x} {% y %}");
    assert_false(ext_tmpl_has_ref(&t));
    ext_tmpl_release(&t);

    assert_int_equal(ext_tmpl_parse("", &t, &err), 0);
    assert_int_equal(t.n, 0);
    ext_tmpl_release(&t);
}

static void test_ext_parse_errors(void **state)
{
    (void)state;
    assert_parse_error("a{$.x", 5);             /* not closed */
    assert_parse_error("{$.x[*]}", 4);          /* wildcard: not a reference */
    assert_parse_error("{$.a b}", 4);           /* text after the path */
    assert_parse_error("{$.}", 3);              /* missing member name */
    assert_parse_error("{$['a`b']}", 5);        /* backquote in a quoted name */
    assert_parse_error("{$.a[1}", 6);           /* index not closed */
    assert_parse_error("{$.a[1234567890]}", 5); /* index beyond 9 digits */
    assert_parse_error("{$['a\\b']}", 5);       /* backslash in a quoted name */
    assert_parse_error("x{% 1 + 2", 1);         /* {% not closed */
    assert_parse_error("{%   %}", 0);           /* empty expression */
}

static void test_ext_intrinsic_escaping(void **state)
{
    (void)state;
    /* Format versus Array element: whole references stay bare paths. */
    assert_intrinsic("{$.a}", "$.a");
    assert_intrinsic("{$$.Execution.Id}", "$$.Execution.Id");
    assert_intrinsic("{$myVar.x[0]}", "$myVar.x[0]");
    assert_intrinsic("{$['a b'].c}", "$['a b'].c");
    assert_intrinsic("plain", "'plain'");
    assert_intrinsic("", "''");
    assert_intrinsic("--shop={$.shop.id}", "States.Format('--shop={}', $.shop.id)");
    assert_intrinsic("{$.a}{$.b}", "States.Format('{}{}', $.a, $.b)");
    /* ' { } \ are escaped in literals and in the format template. */
    assert_intrinsic("it's {x} \\ done", "'it\\'s \\{x\\} \\\\ done'");
    assert_intrinsic("it's {$.who}\\{}", "States.Format('it\\'s {}\\\\\\{\\}', $.who)");
    /* UTF-8 passes through untouched. */
    assert_intrinsic("日付={$.日付}", "States.Format('日付={}', $.日付)");
}

/*
 * Round trip: the generated States.Array(...) evaluated by the interpreter's intrinsic
 * engine gives back exactly the text the user meant, for every escaping edge case.
 */
static void test_ext_intrinsic_round_trip(void **state)
{
    (void)state;
    static const char *const elems[] = {
        "plain",
        "it's",
        "{\"json\": {}}",
        "back\\slash\\",
        "{{$.literal}",
        "日本語 ✓",
        "--n={$.n}",
        "{$.s}",
        "{$.s}-{$.n}-{$.b}-{$.z}",
        "{$$.Execution.Name}",
        "{$v}",
        "{$.nested['a b'].c[1]}",
    };
    static const char *const expected[] = {
        "plain",    "it's",    "{\"json\": {}}", "back\\slash\\",        "{$.literal}",
        "日本語 ✓", "--n=1.5", "x'{}\\",         "x'{}\\-1.5-true-null", "run-1",
        "var",      "deep",
    };
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "States.Array(");
    for (size_t i = 0; i < ARRAY_SIZE(elems); i++) {
        struct ext_tmpl t;
        struct ext_ref_err err;
        assert_int_equal(ext_tmpl_parse(elems[i], &t, &err), 0);
        strbuf_adds(&sb, i ? ", " : "");
        ext_tmpl_intrinsic(&sb, &t);
        ext_tmpl_release(&t);
    }
    strbuf_addch(&sb, ')');
    struct jpath_err perr;
    struct intr_call *call = intr_compile(sb.buf, &perr);
    if (!call)
        fail_msg("%s at %zu in %s", perr.msg, perr.offset, sb.buf);
    json_t *input =
        json_loads("{\"n\": 1.5, \"s\": \"x'{}\\\\\", \"b\": true, \"z\": null,"
                   " \"nested\": {\"a b\": {\"c\": [0, \"deep\"]}}}",
                   0, NULL);
    json_t *ctx = json_pack("{s:{s:s}}", "Execution", "Name", "run-1");
    json_t *vars = json_pack("{s:s}", "v", "var");
    struct intr_rng rng;
    intr_rng_seed(&rng, 1);
    json_t *out = NULL;
    struct intr_error ierr;
    assert_int_equal(intr_eval(call, input, ctx, vars, &rng, &out, &ierr), 0);
    assert_int_equal(json_array_size(out), ARRAY_SIZE(expected));
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
        assert_string_equal(json_string_value(json_array_get(out, i)), expected[i]);
    json_decref(out);
    json_decref(input);
    json_decref(ctx);
    json_decref(vars);
    intr_free(call);
    strbuf_release(&sb);
}

static void test_ext_jsonata_terms(void **state)
{
    (void)state;
    assert_jsonata("{$}", "$states.input");
    assert_jsonata("{$.a.b}", "$states.input.a.b");
    assert_jsonata("{$.a[0].b}", "$states.input.a[0].b");
    assert_jsonata("{$$.Execution.Id}", "$states.context.Execution.Id");
    assert_jsonata("{$$}", "$states.context");
    assert_jsonata("{$run.id}", "$run.id");
    /* Names JSONata cannot read after a dot are backquoted. */
    assert_jsonata("{$['a b'].my-key.and.x1}", "$states.input.`a b`.`my-key`.`and`.x1");
    assert_jsonata("{$.日付}", "$states.input.`日付`");
    assert_jsonata("{% $uppercase($states.input.x) %}", "($uppercase($states.input.x))");
    assert_jsonata("--shop={$.shop}/{% $n %}",
                   "'--shop=' & $states.input.shop & '/' & ($n)");
    /* Literal escaping: quote, backslash, control characters; UTF-8 kept. */
    assert_jsonata("it's \\ \"q\"\n\t✓", "'it\\'s \\\\ \"q\"\\n\\t✓'");
    assert_jsonata("", "''");
}

static void test_ext_scalar_text(void **state)
{
    (void)state;
    static const struct {
        const char *json, *text;
    } cases[] = {
        {"1", "1"},         {"-42", "-42"},   {"1.5", "1.5"},
        {"0.1", "0.1"},     {"1e20", "1e20"}, {"true", "true"},
        {"false", "false"}, {"null", "null"}, {"\"s\"", "s"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        char *s = ext_scalar_text(v);
        assert_string_equal(s, cases[i].text);
        free(s);
        json_decref(v);
    }
}

/* ---- Ecs ------------------------------------------------------------------------- */

static const char ecs_basic[] =
    "StartAt: Aggregate\n"
    "States:\n"
    "  Aggregate:\n"
    "    Type: Task\n"
    "    Comment: keep me\n"
    "    Ecs:\n"
    "      TaskDefinition: agg\n"
    "      Command: [run, \"{$.d}\", \"--n={$.n}\", 3, true]\n"
    "      Environment: { MODE: full, AT: \"{$.d}\" }\n"
    "      Cpu: 1024\n"
    "      Memory: \"2048\"\n"
    "      Tags: { team: ads }\n"
    "    ResultPath: $.agg\n"
    "    End: true\n";

static void test_ext_ecs_jsonpath(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, ecs_basic), 0);
    assert_int_equal(f.dl.nr, 0);
    json_t *st = state_of(&f, "Aggregate");
    assert_keys(st,
                "Type,Comment,Resource,Parameters,ResultSelector,TimeoutSeconds,Retry,"
                "ResultPath,End");
    assert_json_text(
        st,
        "{\"Type\":\"Task\",\"Comment\":\"keep me\","
        "\"Resource\":\"arn:aws:states:::ecs:runTask.sync\","
        "\"Parameters\":{\"Cluster\":\"arn:aws:ecs:eu-west-1:111122223333:cluster/jobs\","
        "\"TaskDefinition\":\"sales-aggregator\",\"LaunchType\":\"FARGATE\","
        "\"NetworkConfiguration\":{\"AwsvpcConfiguration\":{\"Subnets\":[\"subnet-1\"],"
        "\"SecurityGroups\":[\"sg-1\"],\"AssignPublicIp\":\"DISABLED\"}},"
        "\"Overrides\":{\"Cpu\":\"1024\",\"Memory\":\"2048\",\"ContainerOverrides\":[{"
        "\"Name\":\"app\",\"Command.$\":\"States.Array('run', $.d, "
        "States.Format('--n={}', $.n), '3', "
        "'true')\",\"Environment\":[{\"Name\":\"MODE\","
        "\"Value\":\"full\"},{\"Name\":\"AT\",\"Value.$\":\"$.d\"}]}]},"
        "\"Tags\":[{\"Key\":\"team\",\"Value\":\"ads\"}]},"
        "\"ResultSelector\":{\"TaskArn.$\":\"$.TaskArn\","
        "\"ExitCodes.$\":\"$.Containers[*].ExitCode\",\"StoppedReason.$\":\"$."
        "StoppedReason\","
        "\"CreatedAt.$\":\"$.CreatedAt\",\"StartedAt.$\":\"$.StartedAt\","
        "\"StoppedAt.$\":\"$.StoppedAt\"},\"TimeoutSeconds\":1800,"
        "\"Retry\":[{\"ErrorEquals\":[\"ECS.AmazonECSException\",\"AmazonECS.Unknown\"],"
        "\"IntervalSeconds\":10,\"MaxAttempts\":3,\"BackoffRate\":2,"
        "\"JitterStrategy\":\"FULL\"}],\"ResultPath\":\"$.agg\",\"End\":true}");
    fx_release(&f);
}

/* A command without references stays a plain array; Result: full keeps the response. */
static void test_ext_ecs_literal_command(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    f.wf.ecs.subnets = NULL;
    f.wf.ecs.launch_type = "EC2";
    f.wf.ecs.cluster = "arn:aws:ecs:eu-west-1:111122223333:cluster/other";
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs: { TaskDefinition: fam:3, Container: main,\n"
                                   "           Command: [a, \"{x}\"], Result: full,\n"
                                   "           DefaultRetry: false }\n"
                                   "    TimeoutSeconds: 60\n    End: true\n"),
                     0);
    assert_json_text(
        state_of(&f, "A"),
        "{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::ecs:runTask.sync\","
        "\"Parameters\":{\"Cluster\":\"arn:aws:ecs:eu-west-1:111122223333:"
        "cluster/other\",\"TaskDefinition\":\"fam:3\",\"LaunchType\":\"EC2\","
        "\"Overrides\":{\"ContainerOverrides\":[{\"Name\":\"main\","
        "\"Command\":[\"a\",\"{x}\"]}]}},\"TimeoutSeconds\":60,\"End\":true}");
    fx_release(&f);
}

static void test_ext_ecs_jsonata(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "QueryLanguage: JSONata\nStartAt: A\nStates:\n"
                      "  A:\n    Type: Task\n"
                      "    Ecs:\n      TaskDefinition: fam\n"
                      "      Command: [a, \"{$.d}\", \"x={% $n %}\", \"{% 1 %}\"]\n"
                      "      Environment: { L: \"{% lit %}x\", Q: \"{{% q %}\" }\n"
                      "    End: true\n"),
        0);
    json_t *st = state_of(&f, "A");
    assert_keys(st, "Type,Resource,Arguments,Output,TimeoutSeconds,Retry,End");
    json_t *co = json_array_get(
        json_object_get(json_object_get(json_object_get(st, "Arguments"), "Overrides"),
                        "ContainerOverrides"),
        0);
    assert_json_text(co, "{\"Name\":\"app\",\"Command\":\"{% ['a', $states.input.d, "
                         "'x=' & ($n), (1)] %}\",\"Environment\":[{\"Name\":\"L\","
                         "\"Value\":\"{% (lit) & 'x' %}\"},{\"Name\":\"Q\",\"Value\":"
                         "\"{% '{% q %}' %}\"}]}");
    assert_json_text(json_object_get(st, "Output"),
                     "{\"TaskArn\":\"{% $states.result.TaskArn %}\","
                     "\"ExitCodes\":\"{% [$states.result.Containers.ExitCode] %}\","
                     "\"StoppedReason\":\"{% $states.result.StoppedReason %}\","
                     "\"CreatedAt\":\"{% $states.result.CreatedAt %}\","
                     "\"StartedAt\":\"{% $states.result.StartedAt %}\","
                     "\"StoppedAt\":\"{% $states.result.StoppedAt %}\"}");
    fx_release(&f);
}

static void test_ext_ecs_callback(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs: { TaskDefinition: fam, Callback: true,\n"
                                   "           Environment: { K: v } }\n"
                                   "    HeartbeatSeconds: 300\n    End: true\n"),
                     0);
    json_t *st = state_of(&f, "A");
    assert_string_equal(json_string_value(json_object_get(st, "Resource")),
                        "arn:aws:states:::ecs:runTask.waitForTaskToken");
    assert_null(
        json_object_get(st, "ResultSelector")); /* the container sends the result */
    json_t *env = json_object_get(
        json_array_get(json_object_get(json_object_get(json_object_get(st, "Parameters"),
                                                       "Overrides"),
                                       "ContainerOverrides"),
                       0),
        "Environment");
    assert_json_text(env, "[{\"Name\":\"K\",\"Value\":\"v\"},"
                          "{\"Name\":\"TASK_TOKEN\",\"Value.$\":\"$$.Task.Token\"}]");
    json_t *pol = ext_ecs_callback_policy_new(f.def.root);
    assert_json_text(pol, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                          "\"SendTaskToken\",\"Effect\":\"Allow\",\"Action\":["
                          "\"states:SendTaskFailure\",\"states:SendTaskHeartbeat\","
                          "\"states:SendTaskSuccess\"],\"Resource\":\"*\"}]}");
    json_decref(pol);
    fx_release(&f);

    /* No callback step, no policy: also not for a .sync one. */
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, ecs_basic), 0);
    assert_null(ext_ecs_callback_policy_new(f.def.root));
    fx_release(&f);
}

/* Callback steps inside a Map processor are found too. */
static void test_ext_ecs_callback_nested(void **state)
{
    (void)state;
    json_t *asl = json_loads(
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{"
        "\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
        "\"arn:aws-cn:states:::ecs:runTask.waitForTaskToken\",\"End\":true}}},"
        "\"End\":true}}}",
        0, NULL);
    json_t *pol = ext_ecs_callback_policy_new(asl);
    assert_non_null(pol);
    json_decref(pol);
    json_decref(asl);
}

static void test_ext_ecs_callback_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs:\n      TaskDefinition: fam\n"
                                   "      Callback: true\n"
                                   "      OnExitCode: { \"3\": A }\n"
                                   "      Environment: { TASK_TOKEN: x }\n"
                                   "    End: true\n"),
                     -1);
    diag_sort(&f.dl);
    assert_int_equal(f.dl.nr, 3);
    assert_diag(&f.dl, 0, D_EXT_ECS_HEARTBEAT, 7, 17);  /* at Callback's value */
    assert_diag(&f.dl, 1, D_EXT_FIELD_CONFLICT, 8, 7);  /* OnExitCode */
    assert_diag(&f.dl, 2, D_EXT_FIELD_CONFLICT, 9, 22); /* TASK_TOKEN */
    fx_release(&f);

    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs: { TaskDefinition: fam, Callback: true }\n"
                                   "    HeartbeatSeconds: 1800\n    End: true\n"),
                     -1);
    assert_int_equal(f.dl.nr, 1);
    assert_diag(&f.dl, 0, D_EXT_ECS_HEARTBEAT, 6, 23); /* not below ecs.timeout 1800 */
    fx_release(&f);
}

/* The literal parts of all overrides together may take at most 8,192 characters. */
static void test_ext_ecs_override_limit(void **state)
{
    (void)state;
    /* {"ContainerOverrides":[{"Name":"app","Command":["<n x>"]}]} */
    size_t frame =
        strlen("{\"ContainerOverrides\":[{\"Name\":\"app\",\"Command\":[\"\"]}]}");
    for (int over = 0; over <= 1; over++) {
        size_t n = EXT_ECS_OVERRIDES_MAX - frame + (size_t)over;
        char *word = xcalloc(n + 1, 1);
        memset(word, 'x', n);
        /* a reference adds nothing to the literal estimate */
        char *yaml = xasprintf("StartAt: A\nStates:\n  A:\n    Type: Task\n"
                               "    Ecs:\n      TaskDefinition: fam\n"
                               "      Command: [\"%s{$.big}\"]\n    End: true\n",
                               word);
        struct fx f;
        fx_init(&f, "UTC");
        assert_int_equal(fx_expand(&f, yaml), over ? -1 : 0);
        assert_int_equal(f.dl.nr, (size_t)over);
        if (over) {
            assert_diag(&f.dl, 0, D_EXT_ECS_OVERRIDES_SIZE, 5, 5);
            assert_non_null(strstr(f.dl.v[0].msg, "8193 characters, 1 over"));
        }
        fx_release(&f);
        free(yaml);
        free(word);
    }
}

static void test_ext_ecs_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    f.wf.ecs.timeout = 0;
    assert_int_equal(
        fx_expand(&f, "StartAt: A\nStates:\n"
                      "  A:\n    Type: Task\n"
                      "    Resource: arn:aws:states:::ecs:runTask\n"
                      "    Ecs:\n      Comand: [x]\n"
                      "      Environment: { E: \"{% $x %}\" }\n"
                      "      OnExitCode: { \"3\": Nowhere, x: A }\n"
                      "      Command: [\"{$.a[*]}\"]\n"
                      "    End: true\n"
                      "  B:\n    Type: Pass\n    Ecs: {}\n    End: true\n"
                      "  C:\n    Type: Task\n    Ecs: { TaskDefinition: \"a b\" }\n"
                      "    TimeoutSeconds: 5\n    End: true\n"),
        -1);
    diag_sort(&f.dl);
    static const struct {
        enum diag_id id;
        unsigned line, col;
    } want[] = {
        {D_EXT_FIELD_CONFLICT, 5, 5}, /* Resource with Ecs */
        {D_EXT_MISSING_FIELD, 6, 5},  /* no TaskDefinition */
        {D_EXT_ECS_TIMEOUT, 6, 5},    /* no timeout anywhere */
        {D_EXT_UNKNOWN_FIELD, 7, 7},  /* Comand (did you mean Command) */
        {D_EXT_REF_LANG, 8, 26},      /* {% %} in a JSONPath state */
        {D_EXT_ECS_TARGET, 9, 26},    /* no state Nowhere */
        {D_EXT_FIELD_VALUE, 9, 35},   /* x is not an exit code */
        {D_EXT_REF_SYNTAX, 10, 17},   /* wildcard path */
        {D_EXT_WRONG_STATE, 14, 5},   /* Ecs on a Pass */
        {D_EXT_ECS_TASKDEF, 18, 28},  /* "a b" */
    };
    assert_int_equal(f.dl.nr, ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        assert_diag(&f.dl, i, want[i].id, want[i].line, want[i].col);
    assert_string_equal(f.dl.v[3].notes[0], "did you mean 'Command'?");
    fx_release(&f);
}

static void test_ext_ecs_network_required(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    f.wf.ecs.subnets = NULL;
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs: { TaskDefinition: fam }\n    End: true\n"),
                     -1);
    assert_int_equal(f.dl.nr, 1);
    assert_diag(&f.dl, 0, D_EXT_ECS_NETWORK, 5, 5);
    fx_release(&f);
}

/* The default retrier goes after the user's, before a final States.ALL. */
static void test_ext_ecs_retry_merge(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                                   "    Ecs: { TaskDefinition: fam }\n"
                                   "    Retry:\n"
                                   "      - { ErrorEquals: [AmazonECS.Unknown] }\n"
                                   "      - { ErrorEquals: [States.ALL] }\n"
                                   "    End: true\n"),
                     0);
    assert_json_text(
        json_object_get(state_of(&f, "A"), "Retry"),
        "[{\"ErrorEquals\":[\"AmazonECS.Unknown\"]},"
        "{\"ErrorEquals\":[\"ECS.AmazonECSException\"],\"IntervalSeconds\":10,"
        "\"MaxAttempts\":3,\"BackoffRate\":2,\"JitterStrategy\":\"FULL\"},"
        "{\"ErrorEquals\":[\"States.ALL\"]}]");
    fx_release(&f);
}

static void test_ext_ecs_router(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f,
                               "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                               "    Ecs:\n      TaskDefinition: fam\n"
                               "      RetryOnExitCodes: [75, 76]\n"
                               "      MaxAttempts: 2\n"
                               "      OnExitCode: { \"3\": Empty }\n"
                               "    Catch:\n"
                               "      - { ErrorEquals: [Custom.Error], Next: Empty }\n"
                               "      - { ErrorEquals: [States.Timeout], Next: Empty }\n"
                               "    Next: Empty\n"
                               "  Empty:\n    Type: Succeed\n"),
                     0);
    json_t *states = json_object_get(f.def.root, "States");
    assert_keys(states, "A,A.OnFailure,A.Failed,Empty");
    json_t *a = state_of(&f, "A");
    assert_json_text(json_object_get(a, "Assign"), "{\"ecs_retries_A\":0}");
    assert_json_text(json_array_get(json_object_get(a, "Catch"), 0),
                     "{\"ErrorEquals\":[\"States.TaskFailed\"],\"ResultPath\":"
                     "\"$.ecs_error\",\"Next\":\"A.OnFailure\"}");
    assert_int_equal(json_array_size(json_object_get(a, "Catch")), 3);
    json_t *ch = state_of(&f, "A.OnFailure");
    assert_keys(ch, "Type,Comment,QueryLanguage,Choices,Default");
    assert_string_equal(json_string_value(json_object_get(ch, "Default")), "A.Failed");
    json_t *rules = json_object_get(ch, "Choices");
    assert_int_equal(json_array_size(rules), 4); /* start, retry, 3, Custom.Error */
    const char *retry =
        json_string_value(json_object_get(json_array_get(rules, 1), "Condition"));
    assert_non_null(
        strstr(retry, "< 2 and $t.Containers[Name = 'app'].ExitCode in [75, 76]"));
    assert_json_text(json_array_get(rules, 2),
                     "{\"Condition\":\"{% ($c := $states.input.ecs_error.Cause; $t := "
                     "$substring($c, 0, 1) = '{' ? $parse($c) : {}; "
                     "$t.Containers[Name = 'app'].ExitCode = 3) %}\","
                     "\"Assign\":{\"ecs_retries_A\":0},\"Next\":\"Empty\"}");
    assert_json_text(json_array_get(rules, 3),
                     "{\"Condition\":\"{% $states.input.ecs_error.Error in "
                     "['Custom.Error'] %}\",\"Assign\":{\"ecs_retries_A\":0},"
                     "\"Output\":\"{% $states.input.ecs_error %}\",\"Next\":\"Empty\"}");
    assert_json_text(
        state_of(&f, "A.Failed"),
        "{\"Type\":\"Fail\",\"Comment\":\"Generated: 'A' failed and no catcher "
        "took it\",\"QueryLanguage\":\"JSONata\",\"Error\":\"{% "
        "$states.input.ecs_error.Error %}\",\"Cause\":\"{% "
        "$states.input.ecs_error.Cause %}\"}");
    fx_release(&f);
}

/* A wildcard catcher becomes the Choice's Default, with its ResultPath reproduced. */
static void test_ext_ecs_router_catch_all(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                      "    Ecs: { TaskDefinition: fam, OnExitCode: { \"3\": B },\n"
                      "           RetryStartFailures: false }\n"
                      "    Catch:\n"
                      "      - { ErrorEquals: [States.ALL], ResultPath: null,"
                      " Next: B }\n"
                      "    End: true\n"
                      "  B:\n    Type: Succeed\n"),
        0);
    assert_keys(json_object_get(f.def.root, "States"), "A,A.OnFailure,B");
    json_t *ch = state_of(&f, "A.OnFailure");
    assert_json_text(ch,
                     "{\"Type\":\"Choice\",\"Comment\":\"Generated from the Ecs field "
                     "of 'A': routes its failures by exit code\",\"QueryLanguage\":"
                     "\"JSONata\",\"Choices\":[{\"Condition\":\"{% ($c := "
                     "$states.input.ecs_error.Cause; $t := $substring($c, 0, 1) = '{' ? "
                     "$parse($c) : {}; $t.Containers[Name = 'app'].ExitCode = 3) %}\","
                     "\"Next\":\"B\"}],\"Default\":\"B\",\"Output\":\"{% $merge([$sift("
                     "$states.input, function($v, $k) {$k != 'ecs_error'})]) %}\"}");
    assert_null(
        json_object_get(state_of(&f, "A"), "Assign")); /* no re-runs, no counter */
    fx_release(&f);
}

static void test_ext_ecs_router_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                      "    Ecs: { TaskDefinition: fam, RetryOnExitCodes: [75] }\n"
                      "    Catch:\n"
                      "      - { ErrorEquals: [States.ALL], ResultPath: $.a.b,"
                      " Next: A.Failed }\n"
                      "    End: true\n"
                      "  A.Failed:\n    Type: Succeed\n"),
        -1);
    assert_int_equal(f.dl.nr, 1);
    assert_diag(&f.dl, 0, D_EXT_NAME_CLASH, 5, 5);
    fx_release(&f);

    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                      "    Ecs: { TaskDefinition: fam, RetryOnExitCodes: [75] }\n"
                      "    Catch:\n"
                      "      - { ErrorEquals: [States.ALL], ResultPath: $.a.b,"
                      " Next: B }\n"
                      "    End: true\n"
                      "  B:\n    Type: Succeed\n"),
        -1);
    assert_int_equal(f.dl.nr, 1);
    assert_diag(&f.dl, 0, D_EXT_ECS_CATCH, 7, 38);
    fx_release(&f);
}

/* Ecs steps inside Parallel branches and Map processors are expanded too. */
static void test_ext_ecs_nested(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: P\nStates:\n  P:\n    Type: Parallel\n"
                                   "    Branches:\n"
                                   "      - StartAt: M\n        States:\n"
                                   "          M:\n            Type: Map\n"
                                   "            ItemProcessor:\n"
                                   "              StartAt: T\n              States:\n"
                                   "                T:\n                  Type: Task\n"
                                   "                  Ecs: { TaskDefinition: fam }\n"
                                   "                  End: true\n"
                                   "            End: true\n"
                                   "    End: true\n"),
                     0);
    const char *res = json_string_value(json_object_get(
        json_object_get(
            json_object_get(
                json_object_get(
                    json_object_get(
                        json_object_get(
                            json_array_get(json_object_get(state_of(&f, "P"), "Branches"),
                                           0),
                            "States"),
                        "M"),
                    "ItemProcessor"),
                "States"),
            "T"),
        "Resource"));
    assert_string_equal(res, "arn:aws:states:::ecs:runTask.sync");
    fx_release(&f);
}

/* ---- Dates ---------------------------------------------------------------------- */

static void test_ext_dates_shift(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long months;
        long long ms;
    } ok[] = {
        {"-1d", 0, -86400000LL},
        {"+9h", 0, 32400000LL},
        {"1d", 0, 86400000LL},
        {"-1mo", -1, 0},
        {"-1mo-1d", -1, -86400000LL},
        {"1y+2mo", 14, 0},
        {"-2w", 0, -1209600000LL},
        {"30m 15s", 0, 0},
        {"0d", 0, 0},
        {" -1d +1h ", 0, -82800000LL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        struct ext_shift sh;
        size_t bad;
        if (i == 7) { /* a term after the first needs its sign */
            assert_int_equal(ext_dates_parse_shift(ok[i].s, &sh, &bad), -1);
            assert_int_equal(bad, 4);
            continue;
        }
        assert_int_equal(ext_dates_parse_shift(ok[i].s, &sh, &bad), 0);
        assert_int_equal(sh.months, ok[i].months);
        assert_true(sh.ms == ok[i].ms);
    }
    static const struct {
        const char *s;
        size_t bad;
    } bad[] = {{"", 0},     {"d", 0},    {"1", 1},      {"-1x", 2},
               {"--1d", 1}, {"1d2h", 2}, {"999999d", 6}};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct ext_shift sh;
        size_t off;
        assert_int_equal(ext_dates_parse_shift(bad[i].s, &sh, &off), -1);
        assert_int_equal(off, bad[i].bad);
    }
}

static void test_ext_dates_picture(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "[Y0001]-[M01]-[D01]", "[Y0001][M01]",    "[H01]:[m01]:[s01].[f001][Z01:01]",
        "[FNn], [D1o] [MNn]",  "[[literal]] [Y]", "[ Y0001 ]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        size_t bad;
        const char *why;
        if (ext_dates_check_picture(ok[i], &bad, &why))
            fail_msg("'%s' refused at %zu: %s", ok[i], bad, why);
    }
    static const struct {
        const char *s;
        size_t bad;
    } bad[] = {{"[Y0001", 0},  {"[Q]", 0},      {"a]b", 1},         {"[]", 0},
               {"x[Y[M]]", 1}, {"%Y-%m-%d", 0}, {"[[not]] one", 0}, {"", 0}};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        size_t off;
        const char *why;
        assert_int_equal(ext_dates_check_picture(bad[i].s, &off, &why), -1);
        assert_int_equal(off, bad[i].bad);
    }
}

static void test_ext_dates_zone_offset(void **state)
{
    (void)state;
    static const struct {
        const char *tz, *std, *dst;
    } cases[] = {
        {"UTC", "+0000", "+0000"},
        {"Asia/Tokyo", "+0900", "+0900"},
        {"Europe/Berlin", "+0100", "+0200"},
        {"Australia/Sydney", "+1000", "+1100"}, /* summer in January */
        {"America/St_Johns", "-0330", "-0230"},
        {"Asia/Kolkata", "+0530", "+0530"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        long s, d;
        char a[8], b[8];
        assert_int_equal(ext_dates_zone_offset(cases[i].tz, &s, &d), 0);
        ext_dates_offset_text(s, a);
        ext_dates_offset_text(d, b);
        assert_string_equal(a, cases[i].std);
        assert_string_equal(b, cases[i].dst);
    }
    long s, d;
    assert_int_equal(ext_dates_zone_offset("Not/AZone", &s, &d), -1);
}

static void test_ext_dates_expand(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "Asia/Tokyo");
    assert_int_equal(
        fx_expand(&f,
                  "StartAt: D\nStates:\n  D:\n    Type: Pass\n"
                  "    Comment: dates\n"
                  "    Dates:\n"
                  "      target_date: { shift: -1d, format: \"[Y0001]-[M01]-[D01]\" }\n"
                  "      it's: \"[Y0001]\"\n"
                  "    Next: E\n  E:\n    Type: Succeed\n"),
        0);
    assert_int_equal(f.dl.nr, 0); /* Tokyo has no daylight saving time */
    json_t *d = state_of(&f, "D");
    assert_keys(d, "Type,Comment,QueryLanguage,Output,Next");
    assert_string_equal(
        json_string_value(json_object_get(d, "Output")),
        "{% ($tz := '+0900'; $base := $toMillis($exists($states.input.scheduled_time) ? "
        "$states.input.scheduled_time : $states.context.Execution.StartTime); "
        "$merge([$states.input, {'dates': $merge([$type($states.input.dates) = 'object' "
        "? "
        "$states.input.dates : {}, {'target_date': $fromMillis($base - 86400000, "
        "'[Y0001]-[M01]-[D01]', $tz), 'it\\'s': $fromMillis($base, '[Y0001]', "
        "$tz)}])}])) %}");
    fx_release(&f);
}

/* Month shifts and month ends pull in the calendar helpers, in local time. */
static void test_ext_dates_month_helpers(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "Europe/Berlin");
    f.cat.partition = "aws";
    assert_int_equal(fx_expand(&f, "QueryLanguage: JSONata\nStartAt: D\nStates:\n"
                                   "  D:\n    Type: Pass\n"
                                   "    Dates:\n"
                                   "      last: { shift: -1mo, at: end_of_month, "
                                   "from: scheduled_time }\n"
                                   "      day: { at: start_of_day, from: now }\n"
                                   "    End: true\n"),
                     0);
    assert_int_equal(f.dl.nr, 1);
    assert_diag(&f.dl, 0, D_EXT_DATES_DST, 6, 5);
    json_t *d = state_of(&f, "D");
    assert_keys(d, "Type,Output,End"); /* JSONata machine: no QueryLanguage needed */
    const char *out = json_string_value(json_object_get(d, "Output"));
    assert_non_null(strstr(out, "$tz := '+0100'; $off := 3600000; "));
    assert_non_null(
        strstr(out, "$scheduled := $exists($states.input.scheduled_time) ? "));
    assert_non_null(
        strstr(out, "$started := $toMillis($states.context.Execution.StartTime)"));
    assert_null(strstr(out, "$base :="));
    /* leap years: divisible by 4, except centuries not divisible by 400 */
    assert_non_null(
        strstr(out, "($y % 4 = 0 and $y % 100 != 0) or $y % 400 = 0 ? 29 : 28"));
    assert_non_null(strstr(out, "'last': $fromMillis($eom($addMonths($scheduled + $off, "
                                "-1)) - $off, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]"
                                "[Z01:01]', $tz)"));
    assert_non_null(strstr(out, "'day': $fromMillis($sod($started + $off) - $off, "));
    assert_null(strstr(out, "$som :=")); /* unused helpers are left out */
    fx_release(&f);
}

static void test_ext_dates_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f,
                               "StartAt: D\nStates:\n  D:\n    Type: Pass\n"
                               "    Result: 1\n"
                               "    Assign: { \"x.$\": $.a }\n"
                               "    Dates:\n"
                               "      a: { shift: -1x }\n"
                               "      b: { format: \"[Q]\", at: noon }\n"
                               "      c: [1]\n"
                               "      d: { shfit: -1d }\n"
                               "    End: true\n"
                               "  T:\n    Type: Task\n    Resource: x\n    Dates: {}\n"),
                     -1);
    diag_sort(&f.dl);
    static const struct {
        enum diag_id id;
        unsigned line, col;
    } want[] = {
        {D_EXT_FIELD_CONFLICT, 5, 5},  /* Result */
        {D_EXT_FIELD_CONFLICT, 6, 15}, /* "x.$" */
        {D_EXT_DATES_SHIFT, 8, 21},    /* the x of -1x */
        {D_EXT_DATES_PICTURE, 9, 21},  /* [Q] */
        {D_EXT_FIELD_VALUE, 9, 31},    /* at: noon */
        {D_EXT_FIELD_VALUE, 10, 10},   /* c is a list */
        {D_EXT_UNKNOWN_FIELD, 11, 12}, /* shfit */
        {D_EXT_WRONG_STATE, 16, 5},    /* Dates on a Task */
    };
    assert_int_equal(f.dl.nr, ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        assert_diag(&f.dl, i, want[i].id, want[i].line, want[i].col);
    fx_release(&f);
}

/* ---- semantics, through the JSONata engine ---------------------------------------- */

/*
 * Evaluates a generated "{% ... %}" string as Step Functions would: $states.input and
 * $states.context bound, `vars` (may be NULL) as workflow variables. Returns the result
 * (new, NULL when undefined) or NULL with *code set to the JSONata error code.
 */
static json_t *ja_eval(const char *text, const char *input, json_t *vars, char code[8])
{
    size_t n = strlen(text);
    assert_true(n >= 4 && !strncmp(text, "{%", 2) && !strcmp(text + n - 2, "%}"));
    struct jsonata_err err;
    struct jsonata *j = jsonata_compile(text + 2, n - 4, &err);
    if (!j)
        fail_msg("%s at %zu: %s in %s", err.code, err.offset, err.msg, text);
    json_t *b = vars ? json_deep_copy(vars) : json_object();
    json_object_set_new(b, "states",
                        json_pack("{s:o,s:{s:{s:s,s:s},s:{s:s}}}", "input",
                                  json_loads(input, 0, NULL), "context", "Execution",
                                  "StartTime", "2026-07-01T22:30:00.123Z", "Name",
                                  "run-1", "Task", "Token", "tok"));
    struct jsonata_env env = {.mode = JSONATA_AWS, .bindings = b};
    json_t *out = NULL;
    code[0] = '\0';
    if (jsonata_eval(j, &env, &out, &err) < 0) {
        snprintf(code, 8, "%s", err.code);
        out = NULL;
    }
    json_decref(b);
    jsonata_free(j);
    return out;
}

static const char dates_def[] =
    "StartAt: D\nStates:\n  D:\n    Type: Pass\n    Dates:\n"
    "      day: { shift: -1d, format: \"[Y0001]-[M01]-[D01]\" }\n"
    "      last_month_end: { shift: -1mo, at: end_of_month, format: "
    "\"[Y0001]-[M01]-[D01]\" }\n"
    "      same_day_last_month: { shift: -1mo, format: "
    "\"[Y0001]-[M01]-[D01]T[H01]:[m01]\" }\n"
    "      month_start: { at: start_of_month, format: "
    "\"[Y0001]-[M01]-[D01]T[H01]:[m01]\" }\n"
    "      day_end: { at: end_of_day, format: \"[H01]:[m01]:[s01].[f001][Z01:01]\" }\n"
    "      next_year: { shift: +1y-1d, format: \"[Y0001]-[M01]-[D01]\" }\n"
    "      started: { from: now, format: \"[Y0001]-[M01]-[D01]T[H01]:[m01]\" }\n"
    "    End: true\n";

/*
 * The Dates Output, evaluated: yesterday in the zone, month ends with leap years
 * (including the century rule), a day missing in the target month, year boundaries,
 * end of day, the start time for `now`, and the merge into the input.
 */
static void test_ext_dates_semantics(void **state)
{
    (void)state;
    static const struct {
        const char *tz, *input, *expected;
    } cases[] = {
        {"Asia/Tokyo", "{\"scheduled_time\": \"2024-03-30T18:00:00Z\", \"x\": 1}",
         "{\"scheduled_time\": \"2024-03-30T18:00:00Z\", \"x\": 1, \"dates\": {"
         "\"day\": \"2024-03-30\", \"last_month_end\": \"2024-02-29\","
         "\"same_day_last_month\": \"2024-02-29T03:00\","
         "\"month_start\": \"2024-03-01T00:00\", \"day_end\": \"23:59:59.999+09:00\","
         "\"next_year\": \"2025-03-30\", \"started\": \"2026-07-02T07:30\"}}"},
        {"UTC",
         "{\"scheduled_time\": \"2100-03-31T00:00:00Z\", \"dates\": {\"keep\": 1}}",
         "{\"scheduled_time\": \"2100-03-31T00:00:00Z\", \"dates\": {\"keep\": 1, "
         "\"day\": \"2100-03-30\", \"last_month_end\": \"2100-02-28\","
         "\"same_day_last_month\": \"2100-02-28T00:00\","
         "\"month_start\": \"2100-03-01T00:00\", \"day_end\": \"23:59:59.999+00:00\","
         "\"next_year\": \"2101-03-30\", \"started\": \"2026-07-01T22:30\"}}"},
        {"UTC", "{\"scheduled_time\": \"2000-03-31T12:00:00Z\"}",
         "{\"scheduled_time\": \"2000-03-31T12:00:00Z\", \"dates\": {"
         "\"day\": \"2000-03-30\", \"last_month_end\": \"2000-02-29\","
         "\"same_day_last_month\": \"2000-02-29T12:00\","
         "\"month_start\": \"2000-03-01T00:00\", \"day_end\": \"23:59:59.999+00:00\","
         "\"next_year\": \"2001-03-30\", \"started\": \"2026-07-01T22:30\"}}"},
        /* 00:30 on January 1 in Berlin (winter): yesterday is in the previous year */
        {"Europe/Berlin", "{\"scheduled_time\": \"2025-12-31T23:30:00Z\"}",
         "{\"scheduled_time\": \"2025-12-31T23:30:00Z\", \"dates\": {"
         "\"day\": \"2025-12-31\", \"last_month_end\": \"2025-12-31\","
         "\"same_day_last_month\": \"2025-12-01T00:30\","
         "\"month_start\": \"2026-01-01T00:00\", \"day_end\": \"23:59:59.999+01:00\","
         "\"next_year\": \"2026-12-31\", \"started\": \"2026-07-01T23:30\"}}"},
        /* manual run: no scheduled_time, so `auto` entries use the start time */
        {"UTC", "{}",
         "{\"dates\": {\"day\": \"2026-06-30\", \"last_month_end\": \"2026-06-30\","
         "\"same_day_last_month\": \"2026-06-01T22:30\","
         "\"month_start\": \"2026-07-01T00:00\", \"day_end\": \"23:59:59.999+00:00\","
         "\"next_year\": \"2027-06-30\", \"started\": \"2026-07-01T22:30\"}}"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct fx f;
        fx_init(&f, cases[i].tz);
        assert_int_equal(fx_expand(&f, dates_def), 0);
        char code[8];
        json_t *out =
            ja_eval(json_string_value(json_object_get(state_of(&f, "D"), "Output")),
                    cases[i].input, NULL, code);
        if (!out)
            fail_msg("case %zu: error %s", i, code);
        assert_json_text(out, cases[i].expected);
        json_decref(out);
        fx_release(&f);
    }
}

/* from: scheduled_time without one in the input fails instead of dropping the entry. */
static void test_ext_dates_missing_scheduled_time(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "StartAt: D\nStates:\n  D:\n    Type: Pass\n"
                      "    Dates: { d: { from: scheduled_time, format: \"[D]\" } }\n"
                      "    End: true\n"),
        0);
    char code[8];
    json_t *out = ja_eval(json_string_value(json_object_get(state_of(&f, "D"), "Output")),
                          "{}", NULL, code);
    assert_null(out);
    assert_string_equal(code, "D3137"); /* $error() */
    fx_release(&f);
}

/* The JSONata Command array and Environment values, evaluated. */
static void test_ext_ecs_jsonata_semantics(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(
            &f,
            "QueryLanguage: JSONata\nStartAt: A\nStates:\n"
            "  A:\n    Type: Task\n"
            "    Ecs:\n      TaskDefinition: fam\n"
            "      Command: [\"it's\", \"{$.d}\", \"n={$['a b'].n}\",\n"
            "                \"{% $states.input.d & '!' %}\", \"{$$.Execution.Name}\",\n"
            "                \"x\\\\{$v}\", 7]\n"
            "    End: true\n"),
        0);
    json_t *co = json_array_get(
        json_object_get(
            json_object_get(json_object_get(state_of(&f, "A"), "Arguments"), "Overrides"),
            "ContainerOverrides"),
        0);
    char code[8];
    json_t *vars = json_pack("{s:s}", "v", "var");
    json_t *out = ja_eval(json_string_value(json_object_get(co, "Command")),
                          "{\"d\": \"2026-02-28\", \"a b\": {\"n\": 1.5}}", vars, code);
    if (!out)
        fail_msg("error %s", code);
    assert_json_text(out,
                     "[\"it's\", \"2026-02-28\", \"n=1.5\", \"2026-02-28!\", \"run-1\","
                     " \"x\\\\var\", \"7\"]");
    json_decref(out);
    json_decref(vars);
    fx_release(&f);
}

/*
 * The exit-code router's conditions and outputs, evaluated on error outputs shaped as
 * Step Functions reports a failed ECS task (States.TaskFailed, the task as JSON).
 */
static void test_ext_ecs_router_semantics(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(
        fx_expand(&f, "StartAt: A\nStates:\n  A:\n    Type: Task\n"
                      "    Ecs: { TaskDefinition: fam, RetryOnExitCodes: [75],\n"
                      "           MaxAttempts: 2, OnExitCode: { \"3\": B } }\n"
                      "    Catch: [ { ErrorEquals: [States.ALL], ResultPath: $.err,"
                      " Next: B } ]\n"
                      "    End: true\n  B:\n    Type: Succeed\n"),
        0);
    json_t *ch = state_of(&f, "A.OnFailure");
    json_t *rules = json_object_get(ch, "Choices");
    const char *start =
        json_string_value(json_object_get(json_array_get(rules, 0), "Condition"));
    const char *retry =
        json_string_value(json_object_get(json_array_get(rules, 1), "Condition"));
    const char *on3 =
        json_string_value(json_object_get(json_array_get(rules, 2), "Condition"));
    static const char exit75[] =
        "{\"x\": 1, \"ecs_error\": {\"Error\": \"States.TaskFailed\", \"Cause\": "
        "\"{\\\"Containers\\\": [{\\\"Name\\\": \\\"log\\\", \\\"ExitCode\\\": 3}, "
        "{\\\"Name\\\": \\\"app\\\", \\\"ExitCode\\\": 75}]}\"}}";
    static const char exit3[] =
        "{\"ecs_error\": {\"Error\": \"States.TaskFailed\", \"Cause\": "
        "\"{\\\"Containers\\\": [{\\\"Name\\\": \\\"app\\\", \\\"ExitCode\\\": 3}]}\"}}";
    static const char pull[] =
        "{\"ecs_error\": {\"Error\": \"States.TaskFailed\", \"Cause\": "
        "\"{\\\"StopCode\\\": \\\"TaskFailedToStart\\\", \\\"StoppedReason\\\": "
        "\\\"CannotPullContainerError: pull access denied\\\", \\\"Containers\\\": "
        "[{\\\"Name\\\": \\\"app\\\"}]}\"}}";
    static const char text[] = "{\"ecs_error\": {\"Error\": \"ECS.AmazonECSException\", "
                               "\"Cause\": \"Rate exceeded\"}}";
    static const struct {
        const char *input;
        int attempts; /* re-runs so far; -1: the variable was never assigned */
    } cases[] = {
        {exit75, -1}, {exit75, 1}, {exit75, 2}, {exit3, -1}, {pull, -1}, {text, -1},
    };
    const char *conds[] = {retry, on3, start};
    static const bool want[][6] = {
        {true, true, false, false, false, false}, /* retry on 75 (max 2) */
        {false, false, false, true, false,
         false}, /* exit code 3 (the app's, not log's) */
        {false, false, false, false, true, false}, /* start failure */
    };
    for (size_t r = 0; r < ARRAY_SIZE(conds); r++) {
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
            json_t *vars = cases[i].attempts < 0
                               ? NULL
                               : json_pack("{s:i}", "ecs_retries_A", cases[i].attempts);
            char code[8];
            json_t *out = ja_eval(conds[r], cases[i].input, vars, code);
            if (!json_is_boolean(out))
                fail_msg("rule %zu case %zu: not a boolean (error %s)", r, i, code);
            if (json_is_true(out) != want[r][i])
                fail_msg("rule %zu case %zu: got %d", r, i, json_is_true(out));
            json_decref(out);
            json_decref(vars);
        }
    }
    /* re-run: the error is stripped and the counter goes up; Default: the catcher's
     * ResultPath is reproduced */
    char code[8];
    json_t *out =
        ja_eval(json_string_value(json_object_get(json_array_get(rules, 1), "Output")),
                exit75, NULL, code);
    assert_json_text(out, "{\"x\": 1}");
    json_decref(out);
    json_t *vars = json_pack("{s:i}", "ecs_retries_A", 1);
    out = ja_eval(
        json_string_value(json_object_get(
            json_object_get(json_array_get(rules, 1), "Assign"), "ecs_retries_A")),
        exit75, vars, code);
    assert_json_text(out, "2");
    json_decref(out);
    json_decref(vars);
    out = ja_eval(json_string_value(json_object_get(ch, "Output")), text, NULL, code);
    assert_json_text(out, "{\"err\": {\"Error\": \"ECS.AmazonECSException\", \"Cause\": "
                          "\"Rate exceeded\"}}");
    json_decref(out);
    fx_release(&f);
}

/* ---- machine-level ---------------------------------------------------------------- */

static void test_ext_machine_timeout(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "Comment: c\nStartAt: A\nStates:\n"
                                   "  A: { Type: Succeed }\nVersion: \"1.0\"\n"),
                     0);
    assert_keys(f.def.root, "Comment,StartAt,TimeoutSeconds,States,Version");
    assert_int_equal(json_integer_value(json_object_get(f.def.root, "TimeoutSeconds")),
                     3600);
    fx_release(&f);

    fx_init(&f, "UTC");
    assert_int_equal(fx_expand(&f, "StartAt: A\nTimeoutSeconds: 60\nStates:\n"
                                   "  A: { Type: Succeed }\n"),
                     0);
    assert_int_equal(json_integer_value(json_object_get(f.def.root, "TimeoutSeconds")),
                     60);
    fx_release(&f);
}

static void test_ext_splice(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
    json_t *b = json_object_get(o, "b");
    expand_splice(o, "b", EXPAND_BEFORE, json_pack("{s:i,s:i}", "x", 9, "c", 4));
    assert_keys(o, "a,x,c,b");
    assert_int_equal(json_integer_value(json_object_get(o, "c")), 4);
    assert_ptr_equal(json_object_get(o, "b"), b); /* same value, so locations hold */
    expand_splice(o, "a", EXPAND_AFTER, json_pack("{s:i}", "y", 0));
    assert_keys(o, "a,y,x,c,b");
    expand_splice(o, "x", EXPAND_REPLACE, json_pack("{s:i,s:i}", "p", 0, "q", 0));
    assert_keys(o, "a,y,p,q,c,b");
    expand_splice(o, "missing", EXPAND_BEFORE, json_pack("{s:i}", "z", 0));
    assert_keys(o, "a,y,p,q,c,b,z");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ext_parse_parts),
        cmocka_unit_test(test_ext_parse_errors),
        cmocka_unit_test(test_ext_intrinsic_escaping),
        cmocka_unit_test(test_ext_intrinsic_round_trip),
        cmocka_unit_test(test_ext_jsonata_terms),
        cmocka_unit_test(test_ext_scalar_text),
        cmocka_unit_test(test_ext_ecs_jsonpath),
        cmocka_unit_test(test_ext_ecs_literal_command),
        cmocka_unit_test(test_ext_ecs_jsonata),
        cmocka_unit_test(test_ext_ecs_callback),
        cmocka_unit_test(test_ext_ecs_callback_nested),
        cmocka_unit_test(test_ext_ecs_callback_errors),
        cmocka_unit_test(test_ext_ecs_override_limit),
        cmocka_unit_test(test_ext_ecs_errors),
        cmocka_unit_test(test_ext_ecs_network_required),
        cmocka_unit_test(test_ext_ecs_retry_merge),
        cmocka_unit_test(test_ext_ecs_router),
        cmocka_unit_test(test_ext_ecs_router_catch_all),
        cmocka_unit_test(test_ext_ecs_router_errors),
        cmocka_unit_test(test_ext_ecs_nested),
        cmocka_unit_test(test_ext_dates_shift),
        cmocka_unit_test(test_ext_dates_picture),
        cmocka_unit_test(test_ext_dates_zone_offset),
        cmocka_unit_test(test_ext_dates_expand),
        cmocka_unit_test(test_ext_dates_month_helpers),
        cmocka_unit_test(test_ext_dates_errors),
        cmocka_unit_test(test_ext_dates_semantics),
        cmocka_unit_test(test_ext_dates_missing_scheduled_time),
        cmocka_unit_test(test_ext_ecs_jsonata_semantics),
        cmocka_unit_test(test_ext_ecs_router_semantics),
        cmocka_unit_test(test_ext_machine_timeout),
        cmocka_unit_test(test_ext_splice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
