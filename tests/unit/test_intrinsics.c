/*
 * Unit tests for the intrinsic functions: call syntax, every static rejection with
 * its offset, each of the 18 functions with the AWS quirks recorded in
 * asl-semantics.md section 9, known digests, base64 round trips, and the error names
 * and causes of run-time failures.
 */
#include "helpers.h"

#include "base/xalloc.h"
#include "interp/intrinsics.h"

#include <stdio.h>

static json_t *input, *ctx, *vars;

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad JSON in test: %s", je.text);
    return v;
}

static int setup(void **state)
{
    (void)state;
    input =
        load("{\"a\":{\"b\":1},\"name\":\"World\",\"list\":[1,2,2,{\"x\":1},{\"x\":1}],"
             "\"obj\":{\"Arg1\":1,\"Arg2\":[]},\"r\":1.1,\"n\":null,\"t\":true,"
             "\"data\":\"input data\",\"tmpl\":\"{} and {}\",\"csv\":\"a,b,,c\","
             "\"zero\":0,\"neg\":-1,\"five\":5,\"half\":2.5,\"big\":3000000000,"
             "\"deep\":true,\"alg\":\"SHA-3\",\"s\":\"text\","
             "\"books\":[{\"p\":5,\"t\":\"x\"},{\"p\":15,\"t\":\"y\"}]}");
    ctx = load(
        "{\"Execution\":{\"Id\":\"arn:aws:states:us-east-1:123:execution:sm-a-b:run1\","
        "\"Name\":\"run1\"},\"StateMachine\":{\"Name\":\"my-state-machine\"}}");
    vars = load("{\"greeting\":\"hi\",\"cfg\":{\"n\":3}}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(input);
    json_decref(ctx);
    json_decref(vars);
    return 0;
}

static struct intr_call *compile_ok(const char *expr)
{
    struct jpath_err err = {0, ""};
    struct intr_call *c = intr_compile(expr, &err);
    if (!c)
        fail_msg("'%s' rejected at %zu: %s", expr, err.offset, err.msg);
    return c;
}

/* Evaluates with a generator seeded by `seed`; fails the test on error. */
static json_t *run_seeded(const char *expr, uint64_t seed)
{
    struct intr_call *c = compile_ok(expr);
    struct intr_rng rng;
    struct intr_error err = {NULL, ""};
    json_t *out = NULL;
    intr_rng_seed(&rng, seed);
    if (intr_eval(c, input, ctx, vars, &rng, &out, &err))
        fail_msg("'%s' failed: %s: %s", expr, err.name, err.cause);
    intr_free(c);
    return out;
}

static void check_eval(const char *expr, const char *expected)
{
    json_t *out = run_seeded(expr, 1);
    assert_json_text(out, expected);
    json_decref(out);
}

/* Compiles fine, then fails at run time with this name and cause. */
static void check_fail(const char *expr, const char *name, const char *cause)
{
    struct intr_call *c = compile_ok(expr);
    struct intr_rng rng;
    struct intr_error err = {NULL, ""};
    json_t *out = NULL;
    intr_rng_seed(&rng, 1);
    if (intr_eval(c, input, ctx, vars, &rng, &out, &err) == 0)
        fail_msg("'%s' unexpectedly succeeded", expr);
    assert_null(out);
    assert_string_equal(err.name, name);
    assert_string_equal(err.cause, cause);
    intr_free(c);
}

static void check_reject(const char *expr, size_t offset, const char *msg)
{
    struct jpath_err err = {0, ""};
    if (intr_check(expr, &err) == 0)
        fail_msg("'%s' unexpectedly accepted", expr);
    if (err.offset != offset || strcmp(err.msg, msg))
        fail_msg("'%s': got @%zu '%s', want @%zu '%s'", expr, err.offset, err.msg, offset,
                 msg);
}

/* ---- syntax -------------------------------------------------------------------- */

static void test_intrinsics_argument_forms(void **state)
{
    (void)state;
    check_eval("States.Array('s', 1, -2, 2.5, 1e2, true, false, null)",
               "[\"s\",1,-2,2.5,100.0,true,false,null]");
    check_eval(
        "States.Array($.a.b, $$.Execution.Name, $greeting, $cfg.n, $)",
        "[1,\"run1\",\"hi\",3,{\"a\":{\"b\":1},\"name\":\"World\",\"list\":[1,2,2,"
        "{\"x\":1},{\"x\":1}],\"obj\":{\"Arg1\":1,\"Arg2\":[]},\"r\":1.1,\"n\":null,"
        "\"t\":true,\"data\":\"input data\",\"tmpl\":\"{} and {}\",\"csv\":\"a,b,,c\","
        "\"zero\":0,\"neg\":-1,\"five\":5,\"half\":2.5,\"big\":3000000000,"
        "\"deep\":true,\"alg\":\"SHA-3\",\"s\":\"text\",\"books\":[{\"p\":5,"
        "\"t\":\"x\"},{\"p\":15,\"t\":\"y\"}]}]");
    /* an indefinite path argument is the array of its matches */
    check_eval("States.Array($.books[?(@.p > 10)].t)", "[[\"y\"]]");
    check_eval("States.Array($.books[*].p, $['a']['b'])", "[[5,15],1]");
    check_eval("  States.Array( 1 ,\t2\n)  ", "[1,2]");
    check_eval("States.Array ()", "[]");
}

static void test_intrinsics_string_escapes(void **state)
{
    (void)state;
    check_eval("States.Array('it\\'s', 'a\\\\b', '\\{x\\}', 'q\"q')",
               "[\"it's\",\"a\\\\b\",\"{x}\",\"q\\\"q\"]");
    /* a real newline in the definition reaches the function as a newline [rec] */
    check_eval("States.StringSplit('Hello\nWorld', '\n')", "[\"Hello\",\"World\"]");
    /* braces need no escape outside Format templates */
    check_eval("States.StringToJson('{\"a\":1}')", "{\"a\":1}");
}

static void test_intrinsics_nesting(void **state)
{
    (void)state;
    /* LocalStack's nested_calls_2 */
    check_eval(
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, "
        "'-')), -1))",
        "\"machine\"");
    check_eval("States.Format('{}/', States.ArrayGetItem(States.StringSplit("
               "$$.Execution.Id, ':'), 6))",
               "\"sm-a-b/\"");
    /* ten levels is the limit, the outermost call included */
    char buf[512];
    size_t n = 0;
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "States.Array(");
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "1");
    for (int i = 0; i < 10; i++)
        buf[n++] = ')';
    buf[n] = '\0';
    check_eval(buf, "[[[[[[[[[[1]]]]]]]]]]");
    memmove(buf + 13, buf, n + 1);
    memcpy(buf, "States.Array(", 13);
    memcpy(buf + n + 13, ")", 2);
    check_reject(buf, 130, "intrinsic functions nested more than 10 levels deep");
}

static void test_intrinsics_is_call(void **state)
{
    (void)state;
    assert_true(intr_is_call("States.Format('x')"));
    assert_true(intr_is_call("States.UUID ()"));
    assert_true(intr_is_call(" States.Array()"));
    assert_false(intr_is_call("States.Format"));
    assert_false(intr_is_call("States.(x)"));
    assert_false(intr_is_call("$.States.Format('x')"));
    assert_false(intr_is_call("states.Format('x')"));
    struct intr_call *c = compile_ok("States.UUID()");
    assert_string_equal(intr_text(c), "States.UUID()");
    intr_free(c);
}

static void test_intrinsics_syntax_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        size_t off;
        const char *msg;
    } cases[] = {
        {"$.a", 0, "expected an intrinsic function call such as 'States.Format(...)'"},
        {"States.Foo()", 0, "unknown intrinsic function 'States.Foo'"},
        {"States.format('x')", 0, "unknown intrinsic function 'States.format'"},
        {"States.UUID", 11,
         "expected '(' after 'States.UUID' but found the end of the "
         "expression"},
        {"States.Array(1", 14, "expected ',' or ')' but found the end of the expression"},
        {"States.Array(1 2)", 15, "expected ',' or ')' but found '2'"},
        {"States.Array(1,)", 15, "expected an argument after ','"},
        {"States.Array(,1)", 13, "expected an argument but found ','"},
        {"States.Array(abc)", 13,
         "unexpected word 'abc' (string literals take single "
         "quotes)"},
        {"States.Array(\"x\")", 13, "expected an argument but found '\"'"},
        {"States.Array('x)", 13, "unterminated string literal"},
        {"States.Array('a\\nb')", 15,
         "invalid escape '\\n' (only \\', \\{, \\} and \\\\ are "
         "allowed)"},
        {"States.Format('He said, \\\"hi\\\"')", 24,
         "invalid escape '\\\"' (only \\', \\{, "
         "\\} and \\\\ are allowed)"},
        {"States.Array('a\\", 15, "lone backslash at the end of the string"},
        {"States.Array(007)", 13, "numbers must not have leading zeros"},
        {"States.Array(-)", 14, "expected a digit after '-'"},
        {"States.Array(1.)", 15, "expected a digit after '.'"},
        {"States.Array(1e)", 15, "expected a digit in the exponent"},
        {"States.Array(99999999999999999999)", 13, "number out of range"},
        {"States.Array(1e999)", 13, "number out of range"},
        {"States.Array($.a b)", 17, "expected ',' or ')' but found 'b'"},
        {"States.Array($[)", 15,
         "expected a quoted name, an index, '*', a slice or a filter "
         "after '[' but found ')'"},
        {"States.Array() x", 15, "unexpected text after the intrinsic call"},
        {"States.Array('\xff')", 14, "invalid UTF-8"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        check_reject(cases[i].expr, cases[i].off, cases[i].msg);
}

static void test_intrinsics_arity_rejections(void **state)
{
    (void)state;
    check_reject("States.UUID(1)", 0, "'States.UUID' takes 0 arguments, got 1");
    check_reject("States.ArrayLength()", 0,
                 "'States.ArrayLength' takes 1 argument, got 0");
    check_reject("States.Hash('a')", 0, "'States.Hash' takes 2 arguments, got 1");
    check_reject("States.Format()", 0,
                 "'States.Format' takes at least 1 argument, got 0");
    check_reject("States.MathRandom(1)", 0,
                 "'States.MathRandom' takes 2 to 3 arguments, "
                 "got 1");
    check_reject("States.Array(States.JsonMerge($.a, $.a))", 13,
                 "'States.JsonMerge' takes 3 arguments, got 2");
}

static void test_intrinsics_type_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        size_t off;
        const char *msg;
    } cases[] = {
        {"States.MathAdd(1,'-1')", 17,
         "bad argument #2 to 'States.MathAdd' (number "
         "expected, got string)"},
        {"States.ArrayLength('x')", 19,
         "bad argument #1 to 'States.ArrayLength' (array "
         "expected, got string)"},
        {"States.ArrayLength(null)", 19,
         "bad argument #1 to 'States.ArrayLength' (array "
         "expected, got null)"},
        {"States.ArrayGetItem($.list, 1.5)", 28,
         "bad argument #2 to 'States.ArrayGetItem' "
         "(integer expected, got 1.5)"},
        {"States.ArrayGetItem($.list, -1)", 28,
         "bad argument #2 to 'States.ArrayGetItem' "
         "(index must not be negative, got -1)"},
        {"States.ArrayPartition($.list, 0)", 30,
         "bad argument #2 to "
         "'States.ArrayPartition' (positive integer "
         "expected, got 0)"},
        {"States.ArrayRange(1, 5, 0)", 24,
         "bad argument #3 to 'States.ArrayRange' (step "
         "must not be 0)"},
        {"States.ArrayRange(1, 3000000000, 1)", 21,
         "bad argument #2 to 'States.ArrayRange' "
         "(3000000000 is outside the 32-bit "
         "integer range)"},
        {"States.ArrayRange(0, 1000, 1)", 21,
         "bad argument #2 to 'States.ArrayRange' (range "
         "of 1001 items is longer than the limit of "
         "1000)"},
        {"States.Hash($.data, 'SHA-2')", 20,
         "bad argument #2 to 'States.Hash' (unsupported "
         "algorithm 'SHA-2' (use MD5, SHA-1, SHA-256, "
         "SHA-384 or SHA-512))"},
        {"States.Hash($.data, 'sha-256')", 20,
         "bad argument #2 to 'States.Hash' "
         "(unsupported algorithm 'sha-256' (use MD5, "
         "SHA-1, SHA-256, SHA-384 or SHA-512))"},
        {"States.JsonMerge($.a, $.a, true)", 27,
         "bad argument #3 to 'States.JsonMerge' "
         "(deep merge is not supported (use "
         "false))"},
        {"States.JsonMerge($.a, $.a, 0)", 27,
         "bad argument #3 to 'States.JsonMerge' "
         "(boolean expected, got number)"},
        {"States.MathAdd(3000000000, 1)", 15,
         "bad argument #1 to 'States.MathAdd' "
         "(3000000000 is outside the 32-bit integer "
         "range)"},
        {"States.MathRandom(5, 5)", 21,
         "bad argument #2 to 'States.MathRandom' (end must "
         "be greater than start)"},
        {"States.StringSplit(1, ',')", 19,
         "bad argument #1 to 'States.StringSplit' (string "
         "expected, got number)"},
        {"States.Format(1)", 14,
         "bad argument #1 to 'States.Format' (string expected, got "
         "number)"},
        /* results of nested calls are typed too */
        {"States.ArrayLength(States.Format('x'))", 19,
         "bad argument #1 to "
         "'States.ArrayLength' (array "
         "expected, got string from "
         "'States.Format')"},
        {"States.MathAdd(States.UUID(), 1)", 15,
         "bad argument #1 to 'States.MathAdd' "
         "(number expected, got string from "
         "'States.UUID')"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        check_reject(cases[i].expr, cases[i].off, cases[i].msg);
    /* results typed "any" pass the static check */
    struct jpath_err err;
    assert_int_equal(intr_check("States.ArrayLength(States.StringToJson($.s))", &err), 0);
    assert_int_equal(intr_check("States.MathAdd(States.ArrayLength($.list), -1)", &err),
                     0);
}

static void test_intrinsics_format_rejections(void **state)
{
    (void)state;
    check_reject("States.Format('{}')", 14,
                 "format template has 1 placeholder but 0 values follow");
    check_reject("States.Format('x', 1, 2)", 14,
                 "format template has 0 placeholders but 2 values follow");
    check_reject("States.Format('a { b')", 17,
                 "unescaped '{' in format template (write \\{ for a literal brace)");
    check_reject("States.Format('a } b')", 17,
                 "unescaped '}' in format template (write \\} for a literal brace)");
    check_reject("States.Format('s3://${bucket}/{}', $.a)", 21,
                 "unescaped '{' in format template (write \\{ for a literal brace)");
    struct jpath_err err;
    assert_int_equal(intr_check("States.Format('\\{\\} {}', 1)", &err), 0);
    assert_int_equal(intr_check("States.Format($.tmpl, 1)", &err), 0);
}

/* ---- the functions ------------------------------------------------------------- */

static void test_intrinsics_format(void **state)
{
    (void)state;
    check_eval("States.Format('Hello, {}!', $.name)", "\"Hello, World!\"");
    check_eval("States.Format('{} xyz {}', 1, 'def')", "\"1 xyz def\"");
    check_eval("States.Format('{}', $.n)", "\"null\"");
    check_eval("States.Format('{}', $.r)", "\"1.1\"");
    check_eval("States.Format('{} {}', $.t, $.big)", "\"true 3000000000\"");
    /* objects Java-map style [rec], arrays Java-list style */
    check_eval("States.Format('{}', $.obj)", "\"{Arg1=1, Arg2=[]}\"");
    check_eval("States.Format('{}', $.list)", "\"[1, 2, 2, {x=1}, {x=1}]\"");
    check_eval(
        "States.Format('{}', States.StringToJson('{\"a\":\"s\",\"b\":[null,true]}'))",
        "\"{a=s, b=[null, true]}\"");
    /* escaped braces, quotes and backslashes */
    check_eval("States.Format('\\{{}\\} it\\'s \\\\', 1)", "\"{1} it's \\\\\"");
    check_eval("States.Format('Welcome to {} {}\\'s playlist.', 'a', 'b')",
               "\"Welcome to a b's playlist.\"");
    /* a template computed at run time: only {} is special */
    check_eval("States.Format($.tmpl, 1, 'x')", "\"1 and x\"");
    check_eval("States.Format(States.Format('\\{\\}-{}', 'z'), 7)", "\"7-z\"");
}

static void test_intrinsics_format_numbers(void **state)
{
    (void)state;
    check_eval("States.Format('{}', 3.0)", "\"3.0\"");
    check_eval("States.Format('{}', -0.5)", "\"-0.5\"");
    check_eval("States.Format('{}', 12345678.9)", "\"1.23456789E7\"");
    check_eval("States.Format('{}', 1e20)", "\"1.0E20\"");
    check_eval("States.Format('{}', 0.001)", "\"0.001\"");
    check_eval("States.Format('{}', 0.0001)", "\"1.0E-4\"");
    check_eval("States.Format('{}', 100.25)", "\"100.25\"");
    check_eval("States.Format('{}', 0.1)", "\"0.1\"");
}

static void test_intrinsics_format_runtime_errors(void **state)
{
    (void)state;
    check_fail(
        "States.Format($.tmpl, 1)", "States.Runtime",
        "bad argument #1 to 'States.Format' (format template has 2 placeholders but "
        "1 value follows)");
    check_fail("States.Format($.a, 1)", "States.Runtime",
               "bad argument #1 to 'States.Format' (string expected, got object)");
}

static void test_intrinsics_string_to_json(void **state)
{
    (void)state;
    check_eval("States.StringToJson('')", "null");
    check_eval("States.StringToJson(' ')", "null");
    check_eval("States.StringToJson('-0')", "0");
    check_eval("States.StringToJson(' [1, {\"a\": null}] ')", "[1,{\"a\":null}]");
    check_eval("States.StringToJson('\"s\"')", "\"s\"");
    check_eval("States.StringToJson(States.JsonToString($.obj))",
               "{\"Arg1\":1,\"Arg2\":[]}");
    check_fail(
        "States.StringToJson('{bad')", "States.Runtime",
        "bad argument #1 to 'States.StringToJson' (invalid JSON text: string or '}' "
        "expected near 'bad')");
}

static void test_intrinsics_json_to_string(void **state)
{
    (void)state;
    check_eval("States.JsonToString($.obj)", "\"{\\\"Arg1\\\":1,\\\"Arg2\\\":[]}\"");
    check_eval("States.JsonToString($.name)", "\"\\\"World\\\"\"");
    check_eval("States.JsonToString(5)", "\"5\"");
    check_eval("States.JsonToString($.n)", "\"null\"");
    check_eval("States.JsonToString(States.Array('é', 1.5))", "\"[\\\"é\\\",1.5]\"");
}

static void test_intrinsics_json_merge(void **state)
{
    (void)state;
    json_t *before = json_deep_copy(input);
    check_eval(
        "States.JsonMerge($.obj, States.StringToJson('{\"Arg1\":9,\"z\":0}'), false)",
        "{\"Arg1\":9,\"Arg2\":[],\"z\":0}");
    /* shallow: nested objects are replaced, not merged */
    check_eval("States.JsonMerge(States.StringToJson('{\"a\":{\"x\":1,\"y\":2}}'), "
               "States.StringToJson('{\"a\":{\"x\":3}}'), false)",
               "{\"a\":{\"x\":3}}");
    assert_true(json_equal(before, input)); /* arguments are never modified */
    json_decref(before);
    check_fail("States.JsonMerge($.obj, $.a, $.deep)", "States.Runtime",
               "bad argument #3 to 'States.JsonMerge' (deep merge is not supported (use "
               "false))");
    check_fail("States.JsonMerge($.obj, $.list, false)", "States.Runtime",
               "bad argument #2 to 'States.JsonMerge' (object expected, got array)");
}

static void test_intrinsics_array(void **state)
{
    (void)state;
    check_eval("States.Array()", "[]");
    check_eval("States.Array('Foo', 2020, $.a, null)", "[\"Foo\",2020,{\"b\":1},null]");
    check_eval("States.Array(States.Array(1), $.list[0])", "[[1],1]");
}

static void test_intrinsics_array_partition(void **state)
{
    (void)state;
    check_eval("States.ArrayPartition($.list, 2)", "[[1,2],[2,{\"x\":1}],[{\"x\":1}]]");
    check_eval("States.ArrayPartition($.list, 5)", "[[1,2,2,{\"x\":1},{\"x\":1}]]");
    check_eval("States.ArrayPartition($.list, 9)", "[[1,2,2,{\"x\":1},{\"x\":1}]]");
    check_eval("States.ArrayPartition(States.Array(), 2)", "[]");
    check_eval("States.ArrayPartition(States.ArrayRange(1, 6, 1), 4)",
               "[[1,2,3,4],[5,6]]");
    check_fail(
        "States.ArrayPartition($.list, $.zero)", "States.Runtime",
        "bad argument #2 to 'States.ArrayPartition' (positive integer expected, got "
        "0)");
}

static void test_intrinsics_array_contains(void **state)
{
    (void)state;
    check_eval("States.ArrayContains($.list, 2)", "true");
    check_eval("States.ArrayContains($.list, 3)", "false");
    check_eval("States.ArrayContains($.list, States.StringToJson('{\"x\":1}'))", "true");
    check_eval("States.ArrayContains($.list, '2')", "false");
    check_eval("States.ArrayContains(States.Array(), null)", "false");
}

static void test_intrinsics_array_range(void **state)
{
    (void)state;
    check_eval("States.ArrayRange(1, 9, 2)", "[1,3,5,7,9]");
    check_eval("States.ArrayRange(1, 10, 2)", "[1,3,5,7,9]");
    check_eval("States.ArrayRange(0, 3, 1)", "[0,1,2,3]");
    check_eval("States.ArrayRange(1, 2, 5)", "[1]");
    check_eval("States.ArrayRange(5, 1, -2)", "[5,3,1]");
    check_eval("States.ArrayRange(5, 9, -1)", "[]");
    check_eval("States.ArrayRange(-2, -2, 3)", "[-2]");
    json_t *out = run_seeded("States.ArrayRange(1, 1000, 1)", 1);
    assert_int_equal(json_array_size(out), 1000);
    json_decref(out);
    check_fail("States.ArrayRange(0, $.big, 1)", "States.Runtime",
               "bad argument #2 to 'States.ArrayRange' (3000000000 is outside the 32-bit "
               "integer range)");
    check_fail(
        "States.ArrayRange(1, States.MathAdd(1000, 1), 1)", "States.Runtime",
        "bad argument #2 to 'States.ArrayRange' (range of 1001 items is longer than "
        "the limit of 1000)");
    check_fail("States.ArrayRange(1, 2, $.zero)", "States.Runtime",
               "bad argument #3 to 'States.ArrayRange' (step must not be 0)");
}

static void test_intrinsics_array_get_item(void **state)
{
    (void)state;
    check_eval("States.ArrayGetItem($.list, 0)", "1");
    check_eval("States.ArrayGetItem($.list, 3)", "{\"x\":1}");
    check_eval("States.ArrayGetItem($.list, 4.0)", "{\"x\":1}");
    check_fail(
        "States.ArrayGetItem($.list, 5)", "States.Runtime",
        "bad argument #2 to 'States.ArrayGetItem' (index 5 is out of bounds for an "
        "array of 5 items)");
    check_fail(
        "States.ArrayGetItem($.list, $.neg)", "States.Runtime",
        "bad argument #2 to 'States.ArrayGetItem' (index must not be negative, got "
        "-1)");
    check_fail(
        "States.ArrayGetItem(States.Array(), 0)", "States.Runtime",
        "bad argument #2 to 'States.ArrayGetItem' (index 0 is out of bounds for an "
        "array of 0 items)");
}

static void test_intrinsics_array_length_unique(void **state)
{
    (void)state;
    check_eval("States.ArrayLength($.list)", "5");
    check_eval("States.ArrayLength(States.Array())", "0");
    check_eval("States.ArrayUnique($.list)", "[1,2,{\"x\":1}]");
    check_eval("States.ArrayUnique(States.StringToJson('[1,\"1\",1.0,[1],[1],{\"a\":[2]},"
               "{\"a\":[2]},null,null]'))",
               "[1,\"1\",1.0,[1],{\"a\":[2]},null]");
    check_fail("States.ArrayLength($.a)", "States.Runtime",
               "bad argument #1 to 'States.ArrayLength' (array expected, got object)");
}

static void test_intrinsics_base64(void **state)
{
    (void)state;
    check_eval("States.Base64Encode('Data to encode')", "\"RGF0YSB0byBlbmNvZGU=\"");
    check_eval("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "\"Data to encode\"");
    check_eval("States.Base64Encode('')", "\"\"");
    check_eval("States.Base64Decode('')", "\"\"");
    check_eval("States.Base64Encode('a')", "\"YQ==\"");
    check_eval("States.Base64Encode('ab')", "\"YWI=\"");
    check_eval("States.Base64Decode('YQ')", "\"a\"");
    check_eval("States.Base64Decode('YWI')", "\"ab\"");
    /* round trips, including multi-byte UTF-8 */
    check_eval(
        "States.Base64Decode(States.Base64Encode('h\xc3\xa9llo \xf0\x9f\x98\x80'))",
        "\"h\xc3\xa9llo \xf0\x9f\x98\x80\"");
    check_eval("States.Base64Decode(States.Base64Encode($.data))", "\"input data\"");
    check_fail("States.Base64Decode('a$b=')", "States.Runtime",
               "bad argument #1 to 'States.Base64Decode' (invalid base64 character at "
               "position 1)");
    check_fail("States.Base64Decode('abcde')", "States.Runtime",
               "bad argument #1 to 'States.Base64Decode' (invalid base64 length)");
    check_fail("States.Base64Decode('YQ=')", "States.Runtime",
               "bad argument #1 to 'States.Base64Decode' (invalid base64 padding)");
    check_fail("States.Base64Decode('/w==')", "States.Runtime",
               "bad argument #1 to 'States.Base64Decode' (decoded bytes are not valid "
               "UTF-8)");
}

static void test_intrinsics_base64_limit(void **state)
{
    (void)state;
    /* 10,000 characters pass, 10,001 do not (counted as Java counts them) */
    char *ok = xmalloc(10000 + 40), *big = xmalloc(10001 + 40);
    snprintf(ok, 10040, "States.Base64Encode('");
    memset(ok + 21, 'x', 10000);
    strcpy(ok + 21 + 10000, "')");
    snprintf(big, 10041, "States.Base64Encode('");
    memset(big + 21, 'x', 10001);
    strcpy(big + 21 + 10001, "')");
    json_t *out = run_seeded(ok, 1);
    json_decref(out);
    check_reject(big, 20,
                 "bad argument #1 to 'States.Base64Encode' (string of 10001 "
                 "characters is longer than the limit of 10000)");
    free(ok);
    free(big);
}

static void test_intrinsics_hash(void **state)
{
    (void)state;
    /* the five digests of "input data" recorded against AWS */
    check_eval("States.Hash($.data, 'MD5')", "\"812f45842bc6d66ee14572ce20db8e86\"");
    check_eval("States.Hash($.data, 'SHA-1')",
               "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
    check_eval("States.Hash($.data, 'SHA-256')",
               "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\"");
    check_eval(
        "States.Hash($.data, 'SHA-384')",
        "\"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc"
        "835ebb27e1fb9e9374a15562\"");
    check_eval(
        "States.Hash($.data, 'SHA-512')",
        "\"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf"
        "2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4\"");
    check_eval("States.Hash('', 'SHA-1')",
               "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"");
    check_fail(
        "States.Hash($.data, $.alg)", "States.Runtime",
        "bad argument #2 to 'States.Hash' (unsupported algorithm 'SHA-3' (use MD5, "
        "SHA-1, SHA-256, SHA-384 or SHA-512))");
    check_fail("States.Hash($.a, 'MD5')", "States.Runtime",
               "bad argument #1 to 'States.Hash' (string expected, got object)");
}

static void test_intrinsics_math_add(void **state)
{
    (void)state;
    /* the recorded half-up rounding of each argument */
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"States.MathAdd(1.49, 1.5)", "3"},
        {"States.MathAdd(-1.5, 0)", "-1"},
        {"States.MathAdd(-0.5, 0.5)", "1"},
        {"States.MathAdd(2.5, 0)", "3"},
        {"States.MathAdd(-2.5, 0)", "-2"},
        {"States.MathAdd(1.4, 0)", "1"},
        {"States.MathAdd(-1.6, 0)", "-2"},
        {"States.MathAdd(0.49999999999999994, 0)", "0"},
        {"States.MathAdd(111, -1)", "110"},
        {"States.MathAdd($.half, $.neg)", "2"},
        {"States.MathAdd(2147483647, 1)", "2147483648"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        check_eval(cases[i].expr, cases[i].want);
    check_fail("States.MathAdd($.big, 1)", "States.Runtime",
               "bad argument #1 to 'States.MathAdd' (3000000000 is outside the 32-bit "
               "integer range)");
    check_fail("States.MathAdd($.s, 1)", "States.Runtime",
               "bad argument #1 to 'States.MathAdd' (number expected, got string)");
}

static void test_intrinsics_math_random(void **state)
{
    (void)state;
    /* start inclusive, end exclusive; every value reachable */
    int seen[3] = {0, 0, 0};
    for (uint64_t seed = 0; seed < 200; seed++) {
        json_t *v = run_seeded("States.MathRandom(10, 13)", seed);
        json_int_t x = json_integer_value(v);
        assert_true(x >= 10 && x < 13);
        seen[x - 10] = 1;
        json_decref(v);
    }
    assert_true(seen[0] && seen[1] && seen[2]);
    /* deterministic for a given generator seed */
    json_t *a = run_seeded("States.MathRandom(0, 1000000)", 7);
    json_t *b = run_seeded("States.MathRandom(0, 1000000)", 7);
    json_t *c = run_seeded("States.MathRandom(0, 1000000)", 8);
    assert_true(json_equal(a, b));
    assert_false(json_equal(a, c));
    json_decref(a);
    json_decref(b);
    json_decref(c);
    /* with a seed argument the caller's generator does not matter */
    a = run_seeded("States.MathRandom(0, 1000000, 42)", 1);
    b = run_seeded("States.MathRandom(0, 1000000, 42)", 99);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    check_eval("States.MathRandom(4.6, 5.5)", "5");
    check_fail("States.MathRandom($.five, 1)", "States.Runtime",
               "bad argument #2 to 'States.MathRandom' (end must be greater than start)");
}

static void test_intrinsics_string_split(void **state)
{
    (void)state;
    check_eval("States.StringSplit($.csv, ',')", "[\"a\",\"b\",\"c\"]");
    check_eval("States.StringSplit(', , ,', ',')", "[\" \",\" \"]");
    check_eval("States.StringSplit(',,,,', ',')", "[]");
    check_eval("States.StringSplit('This.is+a,test=string', '.+,=')",
               "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
    check_eval("States.StringSplit('AWS::EC2::Instance', '::')",
               "[\"AWS\",\"EC2\",\"Instance\"]");
    check_eval("States.StringSplit('', ',')", "[]");
    check_eval("States.StringSplit('abc', '')", "[\"abc\"]");
    check_eval("States.StringSplit('a\xc3\xa9"
               "b\xe2\x82\xac"
               "c', '\xe2\x82\xac\xc3\xa9')",
               "[\"a\",\"b\",\"c\"]");
}

static void test_intrinsics_uuid(void **state)
{
    (void)state;
    json_t *a = run_seeded("States.UUID()", 5), *b = run_seeded("States.UUID()", 5);
    json_t *c = run_seeded("States.UUID()", 6);
    const char *s = json_string_value(a);
    assert_int_equal(strlen(s), 36);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(s[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", s[i]));
    }
    assert_int_equal(s[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", s[19])); /* RFC 4122 variant */
    assert_true(json_equal(a, b));
    assert_false(json_equal(a, c));
    json_decref(a);
    json_decref(b);
    json_decref(c);
    /* successive calls on one generator differ */
    struct intr_call *call = compile_ok("States.Array(States.UUID(), States.UUID())");
    struct intr_rng rng;
    json_t *out;
    intr_rng_seed(&rng, 1);
    assert_int_equal(intr_eval(call, input, ctx, vars, &rng, &out, NULL), 0);
    assert_false(json_equal(json_array_get(out, 0), json_array_get(out, 1)));
    json_decref(out);
    intr_free(call);
}

/* ---- run-time errors ----------------------------------------------------------- */

static void test_intrinsics_path_errors(void **state)
{
    (void)state;
    check_fail(
        "States.Format('{}', $.nope)", "States.Runtime",
        "bad argument #2 to 'States.Format' (invalid path '$.nope': No results for "
        "path: $['nope'])");
    check_fail(
        "States.Array($.a.x.y)", "States.Runtime",
        "bad argument #1 to 'States.Array' (invalid path '$.a.x.y': Missing property "
        "in path $['a']['x'])");
    check_fail(
        "States.Array($undefined)", "States.Runtime",
        "bad argument #1 to 'States.Array' (invalid path '$undefined': The variable "
        "'$undefined' is not defined)");
    /* a failure deep inside stops the whole call */
    check_fail(
        "States.Format('{}', States.ArrayGetItem($.list, 9))", "States.Runtime",
        "bad argument #2 to 'States.ArrayGetItem' (index 9 is out of bounds for an "
        "array of 5 items)");
}

static void test_intrinsics_eval_without_generator(void **state)
{
    (void)state;
    /* a NULL generator still gives a deterministic value, and NULL err is allowed */
    struct intr_call *c =
        compile_ok("States.Array(States.UUID(), States.MathRandom(1, 9))");
    json_t *a, *b;
    assert_int_equal(intr_eval(c, input, NULL, NULL, NULL, &a, NULL), 0);
    assert_int_equal(intr_eval(c, input, NULL, NULL, NULL, &b, NULL), 0);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    intr_free(c);
    c = compile_ok("States.ArrayLength($.a)");
    assert_int_equal(intr_eval(c, input, NULL, NULL, NULL, &a, NULL), -1);
    intr_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intrinsics_argument_forms),
        cmocka_unit_test(test_intrinsics_string_escapes),
        cmocka_unit_test(test_intrinsics_nesting),
        cmocka_unit_test(test_intrinsics_is_call),
        cmocka_unit_test(test_intrinsics_syntax_rejections),
        cmocka_unit_test(test_intrinsics_arity_rejections),
        cmocka_unit_test(test_intrinsics_type_rejections),
        cmocka_unit_test(test_intrinsics_format_rejections),
        cmocka_unit_test(test_intrinsics_format),
        cmocka_unit_test(test_intrinsics_format_numbers),
        cmocka_unit_test(test_intrinsics_format_runtime_errors),
        cmocka_unit_test(test_intrinsics_string_to_json),
        cmocka_unit_test(test_intrinsics_json_to_string),
        cmocka_unit_test(test_intrinsics_json_merge),
        cmocka_unit_test(test_intrinsics_array),
        cmocka_unit_test(test_intrinsics_array_partition),
        cmocka_unit_test(test_intrinsics_array_contains),
        cmocka_unit_test(test_intrinsics_array_range),
        cmocka_unit_test(test_intrinsics_array_get_item),
        cmocka_unit_test(test_intrinsics_array_length_unique),
        cmocka_unit_test(test_intrinsics_base64),
        cmocka_unit_test(test_intrinsics_base64_limit),
        cmocka_unit_test(test_intrinsics_hash),
        cmocka_unit_test(test_intrinsics_math_add),
        cmocka_unit_test(test_intrinsics_math_random),
        cmocka_unit_test(test_intrinsics_string_split),
        cmocka_unit_test(test_intrinsics_uuid),
        cmocka_unit_test(test_intrinsics_path_errors),
        cmocka_unit_test(test_intrinsics_eval_without_generator),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
