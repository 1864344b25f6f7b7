/*
 * Unit tests for the JSONata engine (src/interp/jsonata*.c): syntax errors with codes
 * and offsets, sequence/array/undefined semantics, paths, operators, the function
 * library, AWS mode ($states, no context item, no $eval, non-finite numbers), limits,
 * and determinism of $now/$random. The full conformance suite runs separately
 * (tests/corpus/jsonata.sh).
 */
#include "helpers.h"

#include "interp/jsonata.h"

#include <pthread.h>

#define COMPILE(text, err) jsonata_compile((text), strlen(text), (err))

/* Evaluates expr in plain mode against input (JSON text or NULL) and bindings. */
static int run_full(const char *expr, const char *input, const char *bindings,
                    enum jsonata_mode mode, json_t **out, struct jsonata_err *err)
{
    struct jsonata *j = jsonata_compile(expr, strlen(expr), err);
    if (!j)
        return -2;
    json_t *in = input ? json_loads(input, JSON_DECODE_ANY, NULL) : NULL;
    json_t *b = bindings ? json_loads(bindings, 0, NULL) : NULL;
    struct jsonata_env env = {0};
    env.mode = mode;
    env.input = in;
    env.bindings = b;
    env.now_ms = 1700000000123;
    int rc = jsonata_eval(j, &env, out, err);
    json_decref(in);
    json_decref(b);
    jsonata_free(j);
    return rc;
}

/* Asserts that expr gives the JSON text want ("undefined" for no result). */
static void check(const char *expr, const char *input, const char *want)
{
    json_t *out = NULL;
    struct jsonata_err err = {{0}, 0, {0}};
    int rc = run_full(expr, input, NULL, JSONATA_PLAIN, &out, &err);
    if (rc != 0)
        fail_msg("%s: rc %d, %s %s", expr, rc, err.code, err.msg);
    if (!strcmp(want, "undefined")) {
        if (out)
            fail_msg("%s: expected undefined, got %s", expr, jout_compact(out));
        return;
    }
    if (!out)
        fail_msg("%s: got undefined, expected %s", expr, want);
    assert_json_text(out, want);
    json_decref(out);
}

/* Asserts that expr fails with code (compile or evaluation) at byte offset off. */
static void check_err(const char *expr, const char *input, const char *code, long off)
{
    json_t *out = NULL;
    struct jsonata_err err = {{0}, 0, {0}};
    int rc = run_full(expr, input, NULL, JSONATA_PLAIN, &out, &err);
    if (rc >= 0)
        fail_msg("%s: expected %s, got success", expr, code);
    assert_string_equal(err.code, code);
    assert_true(err.msg[0] != '\0');
    if (off >= 0)
        assert_int_equal(err.offset, (size_t)off);
    json_decref(out);
}

static void test_jsonata_syntax_errors(void **state)
{
    (void)state;
    check_err("(1 + ", NULL, "S0207", 5);
    check_err("[1,2)", NULL, "S0202", 4);
    check_err("\"abc", NULL, "S0101", 0);
    check_err("Account.Order[0].Product;", NULL, "S0201", 24);
    check_err("1 ! 2", NULL, "S0204", 2);
    check_err("x:=1", NULL, "S0212", 1);
    check_err("$.7", NULL, "S0213", 2);
    check_err("%", NULL, "S0217", 0);
    check_err("function(x){$x}(3)", NULL, "S0208", 9);
    check_err("/a{2,1}/", NULL, "S0303", -1);
    check_err("`name", NULL, "S0105", 0);
    check_err("/* open", NULL, "S0106", 0);
}

static void test_jsonata_compile_is_reusable(void **state)
{
    (void)state;
    struct jsonata_err err;
    struct jsonata *j = COMPILE("a * 2", &err);
    assert_non_null(j);
    assert_string_equal(jsonata_text(j), "a * 2");
    for (int i = 1; i <= 3; i++) {
        json_t *in = json_pack("{s:i}", "a", i), *out = NULL;
        struct jsonata_env env = {0};
        env.input = in;
        assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
        assert_int_equal(json_integer_value(out), 2 * i);
        json_decref(out);
        json_decref(in);
    }
    jsonata_free(j);
}

static void test_jsonata_sequences_and_undefined(void **state)
{
    (void)state;
    const char *doc = "{\"a\":[{\"b\":1},{\"b\":[2,3]},{\"c\":4}],\"s\":[5],\"n\":null}";
    check("a.b", doc, "[1,2,3]");
    check("a[0].b", doc, "1");
    check("a.b[]", doc, "[1,2,3]");
    check("a[2].b", doc, "undefined");
    check("s", doc, "[5]");
    check("s[0]", doc, "5");
    check("n", doc, "null");
    check("missing", doc, "undefined");
    check("[missing]", doc, "[]");
    check("a.c[]", doc, "[4]");
    check("$count(a.b)", doc, "3");
    check("$", "[1,2]", "[1,2]");
    check("$[1]", "[1,2]", "2");
    check("**.b", doc, "[1,2,3]");
    check("*.b", doc, "[1,2,3]");
}

static void test_jsonata_operators(void **state)
{
    (void)state;
    check("1 + 2 * 3 - 4 / 2", NULL, "5");
    check("7 % 3", NULL, "1");
    check("\"a\" & 1 & true & null", NULL, "\"a1truenull\"");
    check("1 < 2 and 'b' > 'a' or false", NULL, "true");
    check("[1,2] = [1,2]", NULL, "true");
    check("2 in [1,2,3]", NULL, "true");
    check("[1..4]", NULL, "[1,2,3,4]");
    check("0.1 + 0.2", NULL, "0.30000000000000004");
    check("nothing + 1", NULL, "undefined");
    check("nothing ?: 'd'", NULL, "\"d\"");
    check("0 ?: 'd'", NULL, "\"d\"");
    check("0 ?? 'd'", NULL, "0");
    check("true ? 1 : 2", NULL, "1");
    check_err("1 + 'a'", NULL, "T2002", 2);
    check_err("'a' < 1", NULL, "T2009", 4);
    check_err("[1..1e8]", NULL, "D2014", -1);
    check_err("1/(10e300 * 10e100)", NULL, "D1001", -1);
}

static void test_jsonata_paths_and_bindings(void **state)
{
    (void)state;
    const char *doc = "{\"o\":[{\"id\":1,\"p\":[{\"n\":\"x\"},{\"n\":\"y\"}]},"
                      "{\"id\":2,\"p\":[{\"n\":\"z\"}]}]}";
    check("o.p.n", doc, "[\"x\",\"y\",\"z\"]");
    check("o.p.{'n': n, 'id': %.id}", doc,
          "[{\"n\":\"x\",\"id\":1},{\"n\":\"y\",\"id\":1},{\"n\":\"z\",\"id\":2}]");
    check("{'a': [{'k': 1}, {'k': 2}], 'b': [{'k': 2, 'v': 'x'}, {'k': 1, 'v': 'y'}]}"
          ".a@$a.b@$b[$a.k = $b.k].($a.k & $b.v)",
          NULL, "[\"1y\",\"2x\"]");
    check("o.p#$i.(n & $i)", doc, "[\"x0\",\"y1\",\"z0\"]");
    check("o^(>id).id", doc, "[2,1]");
    check("o.p{n: $count(n)}", doc, "{\"x\":1,\"y\":1,\"z\":1}");
    check("o[id=2].p.n", doc, "\"z\"");
    check("o[-1].id", doc, "2");
    check("$merge(o.{$string(id): p.n})", doc, "{\"1\":[\"x\",\"y\"],\"2\":\"z\"}");
}

static void test_jsonata_functions_and_closures(void **state)
{
    (void)state;
    check("($f := function($x){$x * 2}; $map([1,2,3], $f))", NULL, "[2,4,6]");
    check("($add := function($a, $b){$a + $b}; $inc := $add(?, 1); $inc(5))", NULL, "6");
    check("($c := function($n){function(){$n}}; $c(7)())", NULL, "7");
    check("$reduce([1,2,3,4], function($a, $b){$a + $b})", NULL, "10");
    check("$filter([1,2,3,4], function($v){$v % 2 = 0})", NULL, "[2,4]");
    check("$sort([3,1,2], function($a, $b){$a < $b})", NULL, "[3,2,1]");
    check("'abc' ~> $uppercase()", NULL, "\"ABC\"");
    check("($f := $uppercase ~> $substring(?, 1); $f('abc'))", NULL, "\"BC\"");
    check("($even := function($n){$n = 0 ? true : $odd($n - 1)};"
          " $odd := function($n){$n = 0 ? false : $even($n - 1)}; $even(10001))",
          NULL, "false");
    check("$string({'a': [1, 1e21, 0.1]})", NULL, "\"{\\\"a\\\":[1,1e+21,0.1]}\"");
    check("$substring('h\xc3\xa9llo', 1, 3)", NULL, "\"\xc3\xa9ll\"");
    check("$length('h\xc3\xa9llo')", NULL, "5");
    check("$replace('a-b-c', /-(\\w)/, '[$1]')", NULL, "\"a[b][c]\"");
    check("$match('ab12cd3', /[0-9]+/).match", NULL, "[\"12\",\"3\"]");
    check("$split('a,b,,c', ',', 3)", NULL, "[\"a\",\"b\",\"\"]");
    check("$formatNumber(12345.678, '#,##0.00')", NULL, "\"12,345.68\"");
    check("$formatInteger(1984, 'I')", NULL, "\"MCMLXXXIV\"");
    check("$formatInteger(21, 'w;o')", NULL, "\"twenty-first\"");
    check("$formatBase(255, 16)", NULL, "\"ff\"");
    check("$round(2.5) & $round(3.5) & $round(1.255, 2)", NULL, "\"241.26\"");
    check("$fromMillis(1521801216617, '[FNn], [D1o] [MNn] [Y] [H01]:[m01]')", NULL,
          "\"Friday, 23rd March 2018 10:33\"");
    check("$toMillis('2018-03-27', '[Y1]-[M01]-[D01]')", NULL, "1522108800000");
    check("$toMillis('2017-10-30T15:28:34Z')", NULL, "1509377314000");
    check("$ ~> | $ | {'b': 2}, ['c'] |", "{\"a\":1,\"c\":3}", "{\"a\":1,\"b\":2}");
    check_err("$uppercase(1)", NULL, "T0410", -1);
    check_err("$sum(['x'])", NULL, "T0412", -1);
    check_err("$error('boom')", NULL, "D3137", -1);
    check_err("($x := 1; x())", "{}", "T1005", -1);
    check_err("($x := 1; $x())", "{}", "T1006", -1);
}

static void test_jsonata_aws_mode(void **state)
{
    (void)state;
    json_t *out = NULL;
    struct jsonata_err err;
    const char *b = "{\"states\":{\"input\":{\"a\":[1,2]},\"context\":{\"Execution\":"
                    "{\"Id\":\"e1\"}}},\"v\":5}";
    assert_int_equal(
        run_full("$states.input.a[1] + $v", "{\"a\":[9,9]}", b, JSONATA_AWS, &out, &err),
        0);
    assert_json_text(out, "7");
    json_decref(out);
    /* no context item in AWS mode: $ is undefined */
    assert_int_equal(run_full("$", "{\"a\":1}", b, JSONATA_AWS, &out, &err), 0);
    assert_null(out);
    /* no $eval */
    assert_int_equal(run_full("$eval('1')", NULL, b, JSONATA_AWS, &out, &err), -1);
    assert_string_equal(err.code, "T1006");
    /* AWS additions and non-finite numbers */
    assert_int_equal(
        run_full("{'i': 1/0, 'p': $partition([1,2,3], 2), 'r': $range(0, 4, 2)}", NULL, b,
                 JSONATA_AWS, &out, &err),
        0);
    assert_json_text(out, "{\"i\":\"Infinity\",\"p\":[[1,2],[3]],\"r\":[0,2,4]}");
    json_decref(out);
    assert_int_equal(run_full("$range(1, 9, 9)", NULL, b, JSONATA_AWS, &out, &err), 0);
    assert_json_text(out, "1");
    json_decref(out);
    assert_int_equal(run_full("$hash('abc', 'MD5')", NULL, b, JSONATA_AWS, &out, &err),
                     0);
    assert_json_text(out, "\"900150983cd24fb0d6963f7d28e17f72\"");
    json_decref(out);
    assert_int_equal(
        run_full("$parse('{\"x\": [1, -0]}')", NULL, b, JSONATA_AWS, &out, &err), 0);
    assert_json_text(out, "{\"x\":[1,0]}");
    json_decref(out);
}

static void test_jsonata_check_aws(void **state)
{
    (void)state;
    struct jsonata_err err;
    struct jsonata *j = COMPILE("$states.input.a + b", &err);
    assert_non_null(j);
    assert_int_equal(jsonata_check_aws(j, &err), -1);
    assert_string_equal(err.code, "S0901");
    assert_int_equal(err.offset, 18);
    jsonata_free(j);
    j = COMPILE("$states.input.items[price > 3].{'n': name}", &err);
    assert_non_null(j);
    assert_int_equal(jsonata_check_aws(j, &err), 0);
    jsonata_free(j);
    j = COMPILE("$$.x", &err);
    assert_int_equal(jsonata_check_aws(j, &err), -1);
    assert_string_equal(err.code, "S0901");
    jsonata_free(j);
    j = COMPILE("$map([1], function($v){$v.a ?: 0})", &err);
    assert_int_equal(jsonata_check_aws(j, &err), -1);
    assert_string_equal(err.code, "S0902");
    assert_int_equal(err.offset, 28);
    jsonata_free(j);
}

static void test_jsonata_results(void **state)
{
    (void)state;
    json_t *out = (json_t *)1;
    struct jsonata_err err;
    assert_int_equal(run_full("$uppercase", NULL, NULL, JSONATA_PLAIN, &out, &err),
                     JSONATA_FUNCTION);
    assert_null(out);
    check("{'f': function(){1}, 'a': [1, $string]}", NULL, "{\"a\":[1,null]}");
    check("2.0", NULL, "2");
    check("1e300 * 10", NULL, "1e301");
}

static void test_jsonata_limits(void **state)
{
    (void)state;
    struct jsonata_err err;
    struct jsonata *j =
        COMPILE("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(100000))", &err);
    assert_non_null(j);
    json_t *out = NULL;
    struct jsonata_env env = {0};
    env.max_depth = 300;
    assert_int_equal(jsonata_eval(j, &env, &out, &err), -1);
    assert_string_equal(err.code, "U1001");
    jsonata_free(j);

    j = COMPILE("($f := function(){$f()}; $f())", &err);
    env.max_steps = 100000;
    assert_int_equal(jsonata_eval(j, &env, &out, &err), -1);
    assert_string_equal(err.code, "U1001");
    jsonata_free(j);

    j = COMPILE("[1..1000000].$string()", &err);
    env.max_steps = 0;
    env.max_bytes = 1 << 20;
    assert_int_equal(jsonata_eval(j, &env, &out, &err), -1);
    assert_string_equal(err.code, "U1001");
    jsonata_free(j);

    /* deep nesting is refused at compile time, not by overflowing the stack */
    char deep[20010];
    memset(deep, '(', 10000);
    memset(deep + 10000, ')', 10000);
    deep[20000] = '\0';
    assert_null(jsonata_compile(deep, 20000, &err));
}

static void test_jsonata_clock_and_rng(void **state)
{
    (void)state;
    json_t *out = NULL;
    struct jsonata_err err;
    assert_int_equal(
        run_full("[$millis(), $now()]", NULL, NULL, JSONATA_PLAIN, &out, &err), 0);
    assert_json_text(out, "[1700000000123,\"2023-11-14T22:13:20.123Z\"]");
    json_decref(out);
    struct jsonata *j = COMPILE("[$random(), $uuid(), $random(7)]", &err);
    struct intr_rng r1, r2;
    intr_rng_seed(&r1, 42);
    intr_rng_seed(&r2, 42);
    struct jsonata_env env = {0};
    json_t *a = NULL, *b = NULL;
    env.rng = &r1;
    assert_int_equal(jsonata_eval(j, &env, &a, &err), 0);
    env.rng = &r2;
    assert_int_equal(jsonata_eval(j, &env, &b, &err), 0);
    assert_true(json_equal(a, b));
    double r = json_real_value(json_array_get(a, 0));
    assert_true(r >= 0 && r < 1);
    assert_int_equal(strlen(json_string_value(json_array_get(a, 1))), 36);
    assert_int_equal(json_string_value(json_array_get(a, 1))[14], '4');
    json_decref(a);
    json_decref(b);
    jsonata_free(j);
}

static void test_jsonata_input_untouched(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"a\":{\"b\":1},\"l\":[3,1,2]}", 0, NULL);
    char *before = jout_compact(in);
    struct jsonata_err err;
    struct jsonata *j =
        COMPILE("{'t': $ ~> | a | {'b': 2} |, 's': $sort(l), 'r': $reverse(l)}", &err);
    assert_non_null(j);
    struct jsonata_env env = {0};
    env.input = in;
    json_t *out = NULL;
    assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
    assert_json_text(out, "{\"t\":{\"a\":{\"b\":2},\"l\":[3,1,2]},\"s\":[1,2,3],"
                          "\"r\":[2,1,3]}");
    char *after = jout_compact(in);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(out);
    json_decref(in);
    jsonata_free(j);
}

/* A document with a wide object (hash-indexed), arrays of records and nested arrays. */
static const char LAZY_DOC[] =
    "{\"a\":{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,"
    "\"k9\":9,\"k10\":10,\"b\":[{\"c\":\"x\"},{\"c\":\"y\"},{\"c\":\"z\"}],"
    "\"l\":[[1,2],[3]],\"s\":\"str\",\"e\":{}},"
    "\"p\":{\"x\":1,\"y\":{\"z\":true}},\"q\":{\"y\":{\"z\":true},\"x\":1}}";

/*
 * The input document is converted lazily (objects on first use, single members read
 * straight from the json_t) and plain paths are walked directly: every way of reading
 * it must still give what jsonata-js gives (expected values taken from jsonata 2.0.6).
 */
static void test_jsonata_lazy_input(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"a.b[1].c", "\"y\""},
        {"a.b[-1].c", "\"z\""},
        {"a.b[5].c", "undefined"},
        {"a.b[0.5].c", "\"x\""},
        {"a.b[1][0].c", "\"y\""},
        {"a.b[1][1]", "undefined"},
        {"a.b[-4]", "undefined"},
        {"a.e[0]", "{}"},
        {"a.b[1].c[0][-1]", "\"y\""},
        {"a.l[0]", "[1,2]"},
        {"a.l[1]", "[3]"},
        {"a.l[0][1]", "2"},
        {"a.l", "[[1,2],[3]]"},
        {"a.s[0]", "\"str\""},
        {"a.s[1]", "undefined"},
        {"a.k9 + a.k10 + a.k9", "28"},
        {"a.b.c", "[\"x\",\"y\",\"z\"]"},
        {"a.b[c=\"y\"].c", "\"y\""},
        {"a.b[0].c[0]", "\"x\""},
        {"$.a.k3", "3"},
        {"($v := p; $v.y.z)", "true"},
        {"p.y[0].z", "true"},
        {"p.y[1].z", "undefined"},
        {"$exists(a.missing.deep)", "false"},
        {"p = q", "true"},
        {"p.y = q.y", "true"},
        {"$keys(p)", "[\"x\",\"y\"]"},
        {"$string(q)", "\"{\\\"y\\\":{\\\"z\\\":true},\\\"x\\\":1}\""},
        {"$boolean(a.e)", "false"},
        {"$boolean(p)", "true"},
        {"$count(a.*)", "18"},
        {"**.z", "[true,true]"},
        {"$sift(a, function($v){$type($v) = \"number\" and $v > 8})",
         "{\"k9\":9,\"k10\":10}"},
        {"$each(q, function($v, $k){$k})", "[\"y\",\"x\"]"},
        {"$merge([p, {\"x\": 2}])", "{\"x\":2,\"y\":{\"z\":true}}"},
        {"$spread(p)", "[{\"x\":1},{\"y\":{\"z\":true}}]"},
        {"q", "{\"y\":{\"z\":true},\"x\":1}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(cases[i][0], LAZY_DOC, cases[i][1]);
}

/* Nothing converted is kept between evaluations: a changed document is read afresh. */
static void test_jsonata_input_changes_between_evaluations(void **state)
{
    (void)state;
    struct jsonata_err err;
    struct jsonata *j = COMPILE("a.b + $count(l)", &err);
    assert_non_null(j);
    json_t *in = json_loads("{\"a\":{\"b\":1},\"l\":[1,2]}", 0, NULL), *out = NULL;
    struct jsonata_env env = {0};
    env.input = in;
    assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
    assert_json_text(out, "3");
    json_decref(out);
    json_object_set_new(json_object_get(in, "a"), "b", json_integer(10));
    json_array_append_new(json_object_get(in, "l"), json_null());
    assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
    assert_json_text(out, "13");
    json_decref(out);
    json_decref(in);
    env.input = in = json_loads("{\"a\":{\"b\":-1},\"l\":[]}", 0, NULL);
    assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
    assert_json_text(out, "-1");
    json_decref(out);
    json_decref(in);
    jsonata_free(j);
}

/* Input nested beyond JSONATA_MAX_NESTING fails with U1001 instead of the stack. */
static void test_jsonata_deep_input(void **state)
{
    (void)state;
    for (int objects = 0; objects < 2; objects++) {
        json_t *root = json_array(), *cur = root;
        for (int i = 0; i < 3500; i++) {
            json_t *next = objects ? json_object() : json_array();
            if (json_is_array(cur))
                json_array_append_new(cur, next);
            else
                json_object_set_new(cur, "k", next);
            cur = next;
        }
        struct jsonata_err err;
        struct jsonata *j = COMPILE("$", &err);
        struct jsonata_env env = {0};
        env.input = root;
        json_t *out = NULL;
        assert_int_equal(jsonata_eval(j, &env, &out, &err), -1);
        assert_string_equal(err.code, "U1001");
        jsonata_free(j);
        json_decref(root);
    }
}

/* A builtin is one function value, equal to itself as in jsonata-js. */
static void test_jsonata_builtin_values(void **state)
{
    (void)state;
    check("$string = $string", NULL, "true");
    check("[$string] = [$string]", NULL, "true");
    check("$string = $number", NULL, "false");
    check("($s := $string; $s(12) & $string(3))", NULL, "\"123\"");
    check("($string := function($v){'mine'}; $string(1))", NULL, "\"mine\"");
    check_err("$substring()", NULL, "T0410", 10);
    check_err("$join([1,2])", NULL, "T0412", 5);
    check_err("$fromMillis('x')", "{}", "T0411", 11);
    check("$substring('abcdef', 1, 2)", NULL, "\"bc\"");
}

/*
 * Pictures are analysed once per program (a few slots) and then reused: results must
 * not depend on the evaluation, the number of distinct pictures or earlier errors.
 */
static void test_jsonata_date_pictures(void **state)
{
    (void)state;
    static const char expr[] =
        "[$fromMillis(1709220600000, '[Y0001]-[M01]-[D01] [H01]:[m01]', '+0900'),"
        " $fromMillis(1709220600000, '[D1o] [MNn] [Y], [h]:[m01] [P]'),"
        " $fromMillis(1709220600000, '[Y,2]-[M]-[D]'),"
        " $fromMillis(1709220600000, '[FNn], [D] [MN,*-3] [Y0001]'),"
        " $fromMillis(1709220600000, '[H01]:[m01]:[s01].[f001]'),"
        " $fromMillis(1709220600000, '[Y0001]-[d001] [Z]', '-0530'),"
        " $fromMillis(1709220600000),"
        " $fromMillis(-1, '[Y0001]-[M01]-[D01] [H01]:[m01]:[s01].[f001]'),"
        " $fromMillis(1.7, '[f001]'), $fromMillis(1e15, '[Y]'),"
        " $toMillis('2024-02-29 15:30', '[Y0001]-[M01]-[D01] [H01]:[m01]'),"
        " $toMillis('29/02/2024', '[D01]/[M01]/[Y0001]'),"
        " $formatInteger(1234567, '#,##0'), $formatInteger(21, '0;o'),"
        " $formatInteger(-7, '000')]";
    static const char want[] =
        "[\"2024-03-01 00:30\",\"29th February 2024, 3:30 pm\",\"24-2-29\","
        "\"Thursday, 29 FEB 2024\",\"15:30:00.000\",\"2024-060 -06:30\","
        "\"2024-02-29T15:30:00.000Z\",\"1969-12-31 23:59:59.999\",\"001\",\"33658\","
        "1709220600000,1709164800000,\"1,234,567\",\"21st\",\"-007\"]";
    struct jsonata_err err;
    struct jsonata *j = COMPILE(expr, &err);
    assert_non_null(j);
    struct jsonata *bad = COMPILE("$fromMillis(0, '[Y0001')", &err);
    assert_non_null(bad);
    struct jsonata_env env = {0};
    for (int i = 0; i < 3; i++) {
        json_t *out = NULL;
        assert_int_equal(jsonata_eval(j, &env, &out, &err), 0);
        assert_json_text(out, want);
        json_decref(out);
        assert_int_equal(jsonata_eval(bad, &env, &out, &err), -1);
        assert_string_equal(err.code, "D3135");
    }
    jsonata_free(bad);
    jsonata_free(j);
}

struct eval_job {
    struct jsonata *j;
    const char *want;
    int failures;
};

static void *eval_many(void *arg)
{
    struct eval_job *job = arg;
    for (int i = 0; i < 200; i++) {
        json_t *out = NULL;
        struct jsonata_err err;
        struct jsonata_env env = {0};
        if (jsonata_eval(job->j, &env, &out, &err) != 0 || !out ||
            strcmp(json_string_value(out), job->want))
            job->failures++;
        json_decref(out);
    }
    return NULL;
}

/* One compiled program evaluated from two threads: the shared caches stay consistent. */
static void test_jsonata_threads(void **state)
{
    (void)state;
    struct jsonata_err err;
    struct jsonata *j =
        COMPILE("$fromMillis(86400000 * 366, '[Y0001]-[M01]-[D01]') & "
                "$string($toMillis('01/02/1970', '[D01]/[M01]/[Y0001]')) & "
                "$join($split('a,b', ','), '+')",
                &err);
    assert_non_null(j);
    static const char want[] = "1971-01-02" /* date */ "2678400000" /* millis */ "a+b";
    struct eval_job jobs[2] = {{j, want, 0}, {j, want, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, eval_many, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(jobs[0].failures + jobs[1].failures, 0);
    jsonata_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonata_syntax_errors),
        cmocka_unit_test(test_jsonata_compile_is_reusable),
        cmocka_unit_test(test_jsonata_sequences_and_undefined),
        cmocka_unit_test(test_jsonata_operators),
        cmocka_unit_test(test_jsonata_paths_and_bindings),
        cmocka_unit_test(test_jsonata_functions_and_closures),
        cmocka_unit_test(test_jsonata_aws_mode),
        cmocka_unit_test(test_jsonata_check_aws),
        cmocka_unit_test(test_jsonata_results),
        cmocka_unit_test(test_jsonata_limits),
        cmocka_unit_test(test_jsonata_clock_and_rng),
        cmocka_unit_test(test_jsonata_input_untouched),
        cmocka_unit_test(test_jsonata_lazy_input),
        cmocka_unit_test(test_jsonata_input_changes_between_evaluations),
        cmocka_unit_test(test_jsonata_deep_input),
        cmocka_unit_test(test_jsonata_builtin_values),
        cmocka_unit_test(test_jsonata_date_pictures),
        cmocka_unit_test(test_jsonata_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
