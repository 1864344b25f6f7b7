/*
 * Unit tests for the JSONPath engine: every syntax form, every rejection with its byte
 * offset, Jayway's evaluation semantics and error texts on a sample document, and the
 * ResultPath writer.
 */
#include "helpers.h"

#include "base/xalloc.h"
#include "interp/jpath.h"

#include <stdio.h>

/* The bookstore document of the JSONPath literature, plus odd corners. */
static const char *const DOC_TEXT =
    "{\"store\":{\"book\":["
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings\","
    "\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword\","
    "\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby Dick\","
    "\"isbn\":\"0-553\",\"price\":8.99},"
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"LOTR\","
    "\"isbn\":\"0-395\",\"price\":22.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},"
    "\"a "
    "b\":1,\"it's\":2,\"detail-type\":\"x\",\"0\":\"zero\",\"\\u00e9t\\u00e9\":"
    "\"summer\","
    "\"n\":null,\"s\":\"str\",\"t\":true,\"arr\":[0,1,2,3,4,5],"
    "\"nums\":[{\"v\":1},{\"v\":\"1\"},{\"v\":2.5},{\"v\":null},{\"w\":1}],"
    "\"nested\":{\"a\":{\"b\":{\"c\":[10,20]}}}}";

static json_t *doc, *ctx, *vars;

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
    doc = load(DOC_TEXT);
    ctx = load(
        "{\"Execution\":{\"Id\":\"arn:aws:states:r:1:execution:sm:run\","
        "\"Input\":{\"k\":1}},\"Map\":{\"Item\":{\"Index\":3,\"Value\":{\"x\":1}}}}");
    vars = load("{\"answer\":42,\"cfg\":{\"list\":[\"a\",\"b\"]},\"nothing\":null}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(doc);
    json_decref(ctx);
    json_decref(vars);
    return 0;
}

static struct jpath *compile_ok(const char *expr, enum jpath_kind kind)
{
    struct jpath_err err = {0, ""};
    struct jpath *p = jpath_compile(expr, kind, &err);
    if (!p)
        fail_msg("'%s' rejected at %zu: %s", expr, err.offset, err.msg);
    return p;
}

/* Evaluates expr against the sample document and compares with the JSON text. */
static void check_eval(const char *expr, const char *expected)
{
    struct jpath *p = compile_ok(expr, JPATH_PATH);
    struct jpath_err err = {0, ""};
    json_t *out = NULL;
    int rc = jpath_eval(p, doc, ctx, vars, &out, &err);
    if (rc != 0)
        fail_msg("'%s' found nothing: %s", expr, err.msg);
    assert_json_text(out, expected);
    json_decref(out);
    jpath_free(p);
}

/* Asserts expr selects nothing and says why, in Jayway's words. */
static void check_not_found(const char *expr, const char *msg)
{
    struct jpath *p = compile_ok(expr, JPATH_PATH);
    struct jpath_err err = {0, ""};
    json_t *out = NULL;
    int rc = jpath_eval(p, doc, ctx, vars, &out, &err);
    if (rc != JPATH_NOT_FOUND)
        fail_msg("'%s' unexpectedly found something", expr);
    assert_null(out);
    assert_string_equal(err.msg, msg);
    jpath_free(p);
}

static void check_reject(const char *expr, enum jpath_kind kind, size_t offset,
                         const char *msg)
{
    struct jpath_err err = {0, ""};
    if (jpath_check(expr, kind, &err) == 0)
        fail_msg("'%s' unexpectedly accepted", expr);
    if (err.offset != offset || strcmp(err.msg, msg))
        fail_msg("'%s': got @%zu '%s', want @%zu '%s'", expr, err.offset, err.msg, offset,
                 msg);
}

/* ---- syntax forms -------------------------------------------------------------- */

static void test_jpath_dot_names(void **state)
{
    (void)state;
    check_eval("$.store.bicycle.color", "\"red\"");
    check_eval("$.detail-type", "\"x\"");
    check_eval("$.0", "\"zero\"");
    check_eval("$.\xc3\xa9t\xc3\xa9", "\"summer\"");
    check_eval("$.nested.a.b.c", "[10,20]");
    check_eval("$.['0']", "\"zero\"");
    check_eval("$.arr.[1]", "1");
}

static void test_jpath_root_alone(void **state)
{
    (void)state;
    struct jpath *p = compile_ok("$", JPATH_PATH);
    json_t *out = NULL;
    assert_int_equal(jpath_eval(p, doc, ctx, vars, &out, NULL), 0);
    assert_ptr_equal(out, doc); /* the same node, not a copy */
    json_decref(out);
    assert_true(jpath_is_root(p));
    assert_true(jpath_is_definite(p));
    jpath_free(p);
}

static void test_jpath_bracket_names(void **state)
{
    (void)state;
    check_eval("$['a b']", "1");
    check_eval("$[\"a b\"]", "1");
    check_eval("$['it\\'s']", "2");
    check_eval("$[ 'store' ][ \"bicycle\" ]['color']", "\"red\"");
    check_eval("$['\\u00e9t\\u00e9']", "\"summer\"");
    check_eval("$.store['bicycle'].color", "\"red\"");
}

static void test_jpath_bracket_escapes(void **state)
{
    (void)state;
    /* LocalStack's escape_sequences_jsonpath: $['Test\""Name"'] names Test""Name" */
    json_t *d = load("{\"Test\\\"\\\"Name\\\"\":\"ok\",\"a\\\\b\":1,\"tab\\tx\":2,"
                     "\"\\ud83d\\ude00\":3}");
    const char *cases[][2] = {{"$['Test\\\"\"Name\"']", "\"ok\""},
                              {"$['a\\\\b']", "1"},
                              {"$['tab\\tx']", "2"},
                              {"$['\\ud83d\\ude00']", "3"}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct jpath *p = compile_ok(cases[i][0], JPATH_PATH);
        json_t *out = NULL;
        assert_int_equal(jpath_eval(p, d, NULL, NULL, &out, NULL), 0);
        assert_json_text(out, cases[i][1]);
        json_decref(out);
        jpath_free(p);
    }
    json_decref(d);
}

static void test_jpath_indexes(void **state)
{
    (void)state;
    check_eval("$.store.book[0].title", "\"Sayings\"");
    check_eval("$.store.book[-1].title", "\"LOTR\"");
    check_eval("$.arr[5]", "5");
    check_eval("$.arr[-6]", "0");
    check_eval("$.nested.a.b.c[1]", "20");
}

static void test_jpath_wildcards(void **state)
{
    (void)state;
    check_eval(
        "$.store.book[*].author",
        "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
    check_eval("$.store.bicycle.*", "[\"red\",19.95]");
    check_eval("$.store.bicycle[*]", "[\"red\",19.95]");
    check_eval("$.arr.*", "[0,1,2,3,4,5]");
    check_eval("$.s[*]", "[]");
    check_eval("$.store.book[*].isbn", "[\"0-553\",\"0-395\"]");
}

static void test_jpath_deep_scan(void **state)
{
    (void)state;
    check_eval(
        "$..author",
        "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]");
    check_eval("$.store..price", "[8.95,12.99,8.99,22.99,19.95]");
    check_eval("$.nested..*", "[{\"b\":{\"c\":[10,20]}},{\"c\":[10,20]},[10,20],10,20]");
    check_eval("$.nested..[0]", "[10]");
    check_eval("$.nested..['c']", "[[10,20]]");
    check_eval("$..nothere", "[]");
    /* pre-order: the node itself before its children */
    json_t *d = load("{\"x\":1,\"a\":{\"x\":2,\"b\":[{\"x\":3}]},\"c\":{\"x\":4}}");
    struct jpath *p = compile_ok("$..x", JPATH_PATH);
    json_t *out = NULL;
    assert_int_equal(jpath_eval(p, d, NULL, NULL, &out, NULL), 0);
    assert_json_text(out, "[1,2,3,4]");
    json_decref(out);
    jpath_free(p);
    json_decref(d);
}

static void test_jpath_slices(void **state)
{
    (void)state;
    check_eval("$.arr[1:3]", "[1,2]");
    check_eval("$.arr[:2]", "[0,1]");
    check_eval("$.arr[-2:]", "[4,5]");
    check_eval("$.arr[4:]", "[4,5]");
    check_eval("$.arr[:-4]", "[0,1]");
    check_eval("$.arr[2:100]", "[2,3,4,5]");
    check_eval("$.arr[-2:-1]", "[4]");
    check_eval("$.arr[3:1]", "[]");
    check_eval("$.arr[9:]", "[]");
    check_eval("$.arr[:]", "[0,1,2,3,4,5]");
    /* with a step (RFC 9535) */
    check_eval("$.arr[::2]", "[0,2,4]");
    check_eval("$.arr[1:5:2]", "[1,3]");
    check_eval("$.arr[::-1]", "[5,4,3,2,1,0]");
    check_eval("$.arr[4:1:-2]", "[4,2]");
    check_eval("$.store.book[0:2].title", "[\"Sayings\",\"Sword\"]");
}

static void test_jpath_unions(void **state)
{
    (void)state;
    check_eval("$.arr[0,2,-1]", "[0,2,5]");
    check_eval("$.arr[1, 1]", "[1,1]");
    /* as the last step, several names merge into one object (definite) */
    check_eval("$.store.bicycle['color','price']", "{\"color\":\"red\",\"price\":19.95}");
    check_eval("$.store.bicycle['color','nope']", "{\"color\":\"red\"}");
    /* elsewhere, they iterate */
    check_eval("$['store','nested'].bicycle.color", "[\"red\"]");
    check_eval("$.store.book[0,3].title", "[\"Sayings\",\"LOTR\"]");
}

static void test_jpath_filters_compare(void **state)
{
    (void)state;
    check_eval("$.store.book[?(@.price < 10)].title", "[\"Sayings\",\"Moby Dick\"]");
    check_eval("$.store.book[?(@.price <= 8.95)].title", "[\"Sayings\"]");
    check_eval("$.store.book[?(@.price > 20)].title", "[\"LOTR\"]");
    check_eval("$.store.book[?(@.price >= 22.99)].title", "[\"LOTR\"]");
    check_eval("$.store.book[?(@.category == 'reference')].title", "[\"Sayings\"]");
    check_eval("$.store.book[?(@.category != \"fiction\")].title", "[\"Sayings\"]");
    check_eval("$.store.book[?(@.title > 'M')].title",
               "[\"Sayings\",\"Sword\",\"Moby Dick\"]");
    check_eval("$.store.book[?(@.price>20)].title", "[\"LOTR\"]");
    check_eval("$.store.book[?(@.price > 100)]", "[]");
}

static void test_jpath_filters_logic(void **state)
{
    (void)state;
    check_eval("$.store.book[?(@.category == 'fiction' && @.price < 20)].title",
               "[\"Sword\",\"Moby Dick\"]");
    check_eval("$.store.book[?(@.price < 9 || @.price > 20)].title",
               "[\"Sayings\",\"Moby Dick\",\"LOTR\"]");
    check_eval("$.store.book[?(!(@.price < 9 || @.price > 20))].title", "[\"Sword\"]");
    check_eval("$.store.book[?(@.isbn)].title", "[\"Moby Dick\",\"LOTR\"]");
    check_eval("$.store.book[?(!@.isbn)].title", "[\"Sayings\",\"Sword\"]");
    check_eval("$.store.book[?((@.price < 9) && (@.isbn))].title", "[\"Moby Dick\"]");
    /* && binds tighter than || */
    check_eval("$.arr[?(@ == 0 || @ == 1 && @ == 2)]", "[0]");
}

static void test_jpath_filters_values(void **state)
{
    (void)state;
    /* Jayway: a number equals a numeric string; other mixed types never compare */
    check_eval("$.nums[?(@.v == 1)]", "[{\"v\":1},{\"v\":\"1\"}]");
    check_eval("$.nums[?(@.v == '1')]", "[{\"v\":1},{\"v\":\"1\"}]");
    check_eval("$.nums[?(@.v > 0)]", "[{\"v\":1},{\"v\":2.5}]");
    check_eval("$.nums[?(@.v == null)]", "[{\"v\":null}]");
    check_eval("$.nums[?(@.v != 1)]", "[{\"v\":2.5},{\"v\":null},{\"w\":1}]");
    check_eval("$.nums[?(@.v == 2.5)]", "[{\"v\":2.5}]");
    check_eval("$.nums[?(@.v)]", "[{\"v\":1},{\"v\":\"1\"},{\"v\":2.5},{\"v\":null}]");
    check_eval("$.arr[?(@ >= 4)]", "[4,5]");
    check_eval("$.arr[?(@ == -0)]", "[0]");
    check_eval("$[?(@.t == true)].s", "[\"str\"]");
    /* bare words are strings, as real AWS samples write them */
    check_eval("$.store.book[?(@.category==reference)].title", "[\"Sayings\"]");
}

static void test_jpath_filters_paths(void **state)
{
    (void)state;
    /* $ inside a filter is the document root */
    check_eval("$.store.book[?(@.price > $.store.bicycle.price)].title", "[\"LOTR\"]");
    /* variables and the context object work inside filters too */
    check_eval("$.arr[?(@ == $answer)]", "[]");
    check_eval("$.arr[?(@ == $$.Map.Item.Index)]", "[3]");
    /* a filter on an object tests the object itself (Jayway) */
    check_eval("$.store[?(@.bicycle)].bicycle.color", "[\"red\"]");
    check_eval("$.store[?(@.nope)]", "[]");
    /* filters compose with deep scans */
    check_eval("$..book[?(@.isbn)].price", "[8.99,22.99]");
    check_eval("$..[?(@.color)].price", "[19.95]");
    /* the length() function inside a filter */
    check_eval("$.nested.a.b[?(@.c.length() == 2)]", "[{\"c\":[10,20]}]");
    check_eval("$.nested.a[?(@.b.c.length() == 2)].b.c[0]", "[10]");
}

static void test_jpath_filters_regex(void **state)
{
    (void)state;
    check_eval("$.store.book[?(@.author =~ /.*Rees/)].title", "[\"Sayings\"]");
    /* Java's matches(): the whole value must match */
    check_eval("$.store.book[?(@.author =~ /Rees/)].title", "[]");
    check_eval("$.store.book[?(@.author =~ /nigel.*/i)].title", "[\"Sayings\"]");
    check_eval("$.store.book[?(@.isbn =~ /0-[0-9]+/)].title", "[\"Moby Dick\",\"LOTR\"]");
    check_eval("$.arr[?(@ =~ /[45]/)]", "[4,5]");
    check_eval("$.store.book[?(@.title =~ /a\\/b|LOTR/)].title", "[\"LOTR\"]");
}

static void test_jpath_length(void **state)
{
    (void)state;
    check_eval("$.arr.length()", "6");
    check_eval("$.store.bicycle.length()", "2");
    check_eval("$.store.book[*].title.length()", "4");
    check_eval("$.s.length()", "null");
    struct jpath *p = compile_ok("$.arr[*].length()", JPATH_PATH);
    assert_true(jpath_is_definite(p));
    jpath_free(p);
}

static void test_jpath_context_and_vars(void **state)
{
    (void)state;
    check_eval("$$", "{\"Execution\":{\"Id\":\"arn:aws:states:r:1:execution:sm:run\","
                     "\"Input\":{\"k\":1}},\"Map\":{\"Item\":{\"Index\":3,"
                     "\"Value\":{\"x\":1}}}}");
    check_eval("$$.Execution.Id", "\"arn:aws:states:r:1:execution:sm:run\"");
    check_eval("$$.Map.Item.Value.x", "1");
    check_eval("$$['Execution']['Input']", "{\"k\":1}");
    check_eval("$answer", "42");
    check_eval("$cfg.list[1]", "\"b\"");
    check_eval("$cfg['list'][*]", "[\"a\",\"b\"]");
    check_eval("$nothing", "null");
    check_not_found("$undefined", "The variable '$undefined' is not defined");
    check_not_found("$$.Execution.Nope", "No results for path: $['Execution']['Nope']");

    struct jpath *p = compile_ok("$cfg.list", JPATH_PATH);
    assert_int_equal(jpath_root(p), JPATH_ROOT_VAR);
    assert_string_equal(jpath_var(p), "cfg");
    assert_false(jpath_is_root(p));
    json_t *out = NULL;
    struct jpath_err err;
    assert_int_equal(jpath_eval(p, doc, ctx, NULL, &out, &err), JPATH_NOT_FOUND);
    jpath_free(p);

    p = compile_ok("$$.Execution", JPATH_PATH);
    assert_int_equal(jpath_root(p), JPATH_ROOT_CONTEXT);
    assert_null(jpath_var(p));
    assert_int_equal(jpath_eval(p, doc, NULL, vars, &out, &err), JPATH_NOT_FOUND);
    jpath_free(p);
}

static void test_jpath_whitespace(void **state)
{
    (void)state;
    check_eval("  $.s  ", "\"str\"");
    check_eval("$$.Execution.Id \n", "\"arn:aws:states:r:1:execution:sm:run\"");
    struct jpath *p = compile_ok(" $.s ", JPATH_PATH);
    assert_string_equal(jpath_text(p), "$.s");
    jpath_free(p);
}

/* ---- evaluation semantics ------------------------------------------------------ */

static void test_jpath_null_is_not_missing(void **state)
{
    (void)state;
    struct jpath *p = compile_ok("$.n", JPATH_PATH);
    json_t *out = NULL;
    assert_int_equal(jpath_eval(p, doc, NULL, NULL, &out, NULL), 0);
    assert_true(json_is_null(out));
    json_decref(out);
    jpath_free(p);
    check_not_found("$.missing", "No results for path: $['missing']");
}

static void test_jpath_not_found_messages(void **state)
{
    (void)state;
    check_not_found("$.no.x", "Missing property in path $['no']");
    check_not_found("$.store.nope.x.y", "Missing property in path $['store']['nope']");
    check_not_found("$.nested.a.zz", "No results for path: $['nested']['a']['zz']");
    check_not_found("$.s.x",
                    "Expected to find an object with property ['x'] in path $['s'] "
                    "but found 'java.lang.String'");
    check_not_found("$.arr.x", "Expected to find an object with property ['x'] in path "
                               "$['arr'] but found 'net.minidev.json.JSONArray'");
    check_not_found("$.n.x",
                    "Expected to find an object with property ['x'] in path $['n'] "
                    "but found 'null'");
    check_not_found("$.n[0]", "The path $['n'] is null");
    check_not_found(
        "$.s[0]",
        "Filter: [0] can only be applied to arrays. Current context is: \"str\"");
    check_not_found("$.arr[6]", "No results for path: $['arr'][6]");
    check_not_found("$.arr[-7]", "No results for path: $['arr'][-7]");
    check_not_found(
        "$.t[?(@.x)]",
        "Filter: [?] can not be applied to primitives. Current context is: true");
    check_not_found("$.no.length()", "Missing property in path $['no']");
}

static void test_jpath_indefinite_results(void **state)
{
    (void)state;
    /* an indefinite path always gives an array, even of one item or none */
    check_eval("$.store.book[?(@.price > 20)].price", "[22.99]");
    check_eval("$..nothing", "[]");
    check_eval("$.arr[10:]", "[]");
    check_eval("$.s.*", "[]");
    /* after an indefinite step, missing names and wrong types are skipped */
    check_eval("$.store.book[*].isbn.x", "[]");
    check_eval("$.nums[*].v", "[1,\"1\",2.5,null]");
    /* but a definite prefix that breaks is still an error, as in Jayway */
    check_not_found("$.missing[*]", "Missing property in path $['missing']");
    check_not_found("$.s.x[*]", "Expected to find an object with property ['x'] in path "
                                "$['s'] but found 'java.lang.String'");
}

static void test_jpath_definite_flag(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        int definite;
    } cases[] = {
        {"$", 1},          {"$.a.b", 1},        {"$['a'][0]", 1},
        {"$[-1]", 1},      {"$$.Execution", 1}, {"$v.x", 1},
        {"$['a','b']", 1}, {"$.a.length()", 1}, {"$[*]", 0},
        {"$.*", 0},        {"$..a", 0},         {"$[0,1]", 0},
        {"$[1:2]", 0},     {"$[?(@.a)]", 0},    {"$['a','b'].c", 0},
        {"$..a[0]", 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct jpath *p = compile_ok(cases[i].expr, JPATH_PATH);
        if (jpath_is_definite(p) != cases[i].definite)
            fail_msg("'%s': definite %d", cases[i].expr, jpath_is_definite(p));
        jpath_free(p);
    }
}

static void test_jpath_eval_does_not_mutate(void **state)
{
    (void)state;
    char *before = jout_compact(doc);
    const char *paths[] = {"$..*", "$.store.book[?(@.price > 1)]", "$['store','nested']",
                           "$.store.bicycle['color','price']", "$.arr[::-1]"};
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        struct jpath *p = compile_ok(paths[i], JPATH_PATH);
        json_t *out = NULL;
        assert_int_equal(jpath_eval(p, doc, ctx, vars, &out, NULL), 0);
        json_decref(out);
        jpath_free(p);
    }
    char *after = jout_compact(doc);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* ---- rejections ---------------------------------------------------------------- */

static void test_jpath_reference_rejections(void **state)
{
    (void)state;
    check_reject("$..a", JPATH_REFERENCE, 1, "'..' is not allowed in a reference path");
    check_reject("$.a.*", JPATH_REFERENCE, 4, "'*' is not allowed in a reference path");
    check_reject("$.a[*]", JPATH_REFERENCE, 4, "'*' is not allowed in a reference path");
    check_reject("$.a[?(@.x)]", JPATH_REFERENCE, 4,
                 "filters are not allowed in a reference path");
    check_reject("$.a[1:2]", JPATH_REFERENCE, 5,
                 "slices are not allowed in a reference path");
    check_reject("$.a[:2]", JPATH_REFERENCE, 4,
                 "slices are not allowed in a reference path");
    check_reject("$.a[0,1]", JPATH_REFERENCE, 5,
                 "unions are not allowed in a reference path");
    check_reject("$['a','b']", JPATH_REFERENCE, 5,
                 "unions are not allowed in a reference path");
    check_reject("$.a.length()", JPATH_REFERENCE, 4,
                 "functions are not allowed in a reference path");
    /* what a reference path may hold */
    const char *ok[] = {
        "$",      "$.a",          "$.a.b[0]", "$['a b'][-1].c", "$$.Execution.Id",
        "$var.x", "$.detail-type"};
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        struct jpath_err err;
        if (jpath_check(ok[i], JPATH_REFERENCE, &err))
            fail_msg("'%s' rejected: %s", ok[i], err.msg);
    }
}

static void test_jpath_syntax_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        size_t off;
        const char *msg;
    } cases[] = {
        {"", 0, "a path must start with '$'"},
        {"a.b", 0, "a path must start with '$'"},
        {"@.a", 0, "'@' is only allowed inside a filter"},
        {"$.", 1, "a path must not end with '.'"},
        {"$..", 1, "a path must not end with '..'"},
        {"$...a", 3, "expected a name, '*' or '[' after '..' but found '.'"},
        {"$.a..", 3, "a path must not end with '..'"},
        {"$.(", 2, "expected a name after '.' but found '('"},
        {"$.a b", 3, "unexpected whitespace (write ['a b'] for names with spaces)"},
        {"$a-b", 2, "unexpected '-' in path"},
        {"$$x", 2, "unexpected 'x' in path"},
        {"$[", 2,
         "expected a quoted name, an index, '*', a slice or a filter after '[' but "
         "found the end of the path"},
        {"$[]", 2,
         "expected a quoted name, an index, '*', a slice or a filter after '[' but "
         "found ']'"},
        {"$[a]", 2,
         "expected a quoted name, an index, '*', a slice or a filter after '[' but "
         "found 'a'"},
        {"$['a", 2, "unterminated string"},
        {"$['a'", 5, "expected ',' or ']' but found the end of the path"},
        {"$['a' 'b']", 6, "expected ',' or ']' but found '''"},
        {"$['a',1]", 6, "expected a quoted name but found '1'"},
        {"$['\\q']", 3, "invalid escape '\\q'"},
        {"$['\\u12']", 3, "invalid \\u escape"},
        {"$['\\ud800']", 3, "unpaired surrogate in \\u escape"},
        {"$[1", 3, "expected ']', ',' or ':' but found the end of the path"},
        {"$[1,]", 4, "expected a digit but found ']'"},
        {"$[-]", 3, "expected a digit but found ']'"},
        {"$[99999999999]", 2, "index out of range"},
        {"$[1:2:0]", 6, "slice step must not be 0"},
        {"$[1:2:3:4]", 7, "expected ']' but found ':'"},
        {"$[*", 3, "expected ']' but found the end of the path"},
        {"$.a.foo()", 4, "unsupported function 'foo()' (only length() is)"},
        {"$.a.length().b", 12, "length() must end the path"},
        {"$..length()", 3, "a function cannot follow '..'"},
        {"$\x80", 1, "invalid UTF-8"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        check_reject(cases[i].expr, JPATH_PATH, cases[i].off, cases[i].msg);
}

static void test_jpath_filter_rejections(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        size_t off;
        const char *msg;
    } cases[] = {
        {"$[?@.a]", 3, "expected '(' after '?' but found '@'"},
        {"$[?(@.a)", 8, "expected ']' but found the end of the path"},
        {"$[?(@.a == 1]", 12, "expected ')' or an operator but found ']'"},
        {"$[?(@.a = 1)]", 8, "use '==' to compare"},
        {"$[?(@.a == )]", 11, "expected a value but found ')'"},
        {"$[?(1)]", 4, "a literal alone is not a condition"},
        {"$[?('x')]", 4, "a literal alone is not a condition"},
        {"$[?(@.a > 1 | @.b)]", 12, "use '||' to combine conditions"},
        {"$[?(@.a & @.b)]", 8, "use '&&' to combine conditions"},
        {"$[?(@.a =~ 'x')]", 11,
         "expected a /regular expression/ after '=~' but found '''"},
        {"$[?(@.a == /x/)]", 11, "a regular expression needs the '=~' operator"},
        {"$[?(/x/ == @.a)]", 4, "a regular expression must follow '=~'"},
        {"$[?(@.a =~ /x/q)]", 14, "unknown regular expression flag 'q'"},
        {"$[?(@.a =~ /x)]", 11, "unterminated regular expression"},
        {"$[?(@.a =~ /(/)]", 13,
         "invalid regular expression: missing closing parenthesis"},
        {"$[?((@.a)]", 9, "expected ')' or an operator but found ']'"},
        {"$[?(@.a == 'x)]", 11, "unterminated string"},
        {"$[?(@.a == 1e999)]", 11, "invalid value '1e999'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        check_reject(cases[i].expr, JPATH_PATH, cases[i].off, cases[i].msg);
}

/* Limits that keep recursion bounded: 256 segments, 32 levels of filter nesting. */
static void test_jpath_limits(void **state)
{
    (void)state;
    char buf[1024];
    size_t n = 0;
    buf[n++] = '$';
    for (int i = 0; i < 257; i++) {
        buf[n++] = '.';
        buf[n++] = 'a';
    }
    buf[n] = '\0';
    check_reject(buf, JPATH_PATH, 513, "path has more than 256 segments");
    buf[2 * 256 + 1] = '\0';
    struct jpath_err err;
    assert_int_equal(jpath_check(buf, JPATH_PATH, &err), 0);

    n = (size_t)snprintf(buf, sizeof(buf), "$[?(");
    for (int i = 0; i < 40; i++)
        buf[n++] = '!';
    snprintf(buf + n, sizeof(buf) - n, "@.a)]");
    check_reject(buf, JPATH_PATH, 36, "filter nested more than 32 levels deep");
    buf[4 + 30] = '\0';
    strcat(buf, "@.a)]");
    assert_int_equal(jpath_check(buf, JPATH_PATH, &err), 0);
}

/* ---- embedding ----------------------------------------------------------------- */

static void test_jpath_compile_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t end;
    } cases[] = {
        {"$.a, 3)", 3},
        {"$.a)", 3},
        {"$['x,y'], 1", 8},
        {"$[?(@.a, 1)]", 0},
        {"$$.Execution.Id)", 15},
        {"$[?(@.a == 'x')].b,", 18},
        {"$ ,", 1},
        {"$var.x)", 6},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct jpath_err err;
        size_t end = 99;
        struct jpath *p = jpath_compile_prefix(cases[i].text, JPATH_PATH, &end, &err);
        if (!cases[i].end) {
            assert_null(p);
            continue;
        }
        if (!p)
            fail_msg("'%s' rejected: %s", cases[i].text, err.msg);
        assert_int_equal(end, cases[i].end);
        jpath_free(p);
    }
}

static void test_jpath_utf8_prefix(void **state)
{
    (void)state;
    assert_int_equal(jpath_utf8_prefix("abc", 3), 3);
    assert_int_equal(jpath_utf8_prefix("a\xc3\xa9z", 4), 4);
    assert_int_equal(jpath_utf8_prefix("a\xc3", 2), 1);             /* truncated */
    assert_int_equal(jpath_utf8_prefix("a\xc0\x80", 3), 1);         /* overlong */
    assert_int_equal(jpath_utf8_prefix("\xed\xa0\x80", 3), 0);      /* surrogate */
    assert_int_equal(jpath_utf8_prefix("\xf0\x9f\x98\x80!", 5), 5); /* emoji */
    assert_int_equal(jpath_utf8_prefix("\xf4\x90\x80\x80", 4), 0);  /* > U+10FFFF */
}

/* ---- ResultPath writes --------------------------------------------------------- */

static json_t *set_ok(const char *ref, const char *root, const char *value)
{
    struct jpath *p = compile_ok(ref, JPATH_REFERENCE);
    json_t *r = load(root), *v = load(value), *out = NULL;
    char *before = jout_compact(r);
    if (jpath_set(p, r, v, &out))
        fail_msg("set '%s' failed", ref);
    char *after = jout_compact(r);
    assert_string_equal(before, after); /* the input is untouched */
    free(before);
    free(after);
    json_decref(r);
    json_decref(v);
    jpath_free(p);
    return out;
}

static void set_fails(const char *ref, const char *root)
{
    struct jpath *p = compile_ok(ref, JPATH_REFERENCE);
    json_t *r = load(root), *v = json_integer(1), *out = NULL;
    assert_int_equal(jpath_set(p, r, v, &out), -1);
    assert_null(out);
    json_decref(r);
    json_decref(v);
    jpath_free(p);
}

static void test_jpath_set_root_replaces(void **state)
{
    (void)state;
    json_t *out = set_ok("$", "{\"a\":1}", "[1,2]");
    assert_json_text(out, "[1,2]");
    json_decref(out);
}

static void test_jpath_set_adds_and_overwrites(void **state)
{
    (void)state;
    json_t *out = set_ok("$.r", "{\"a\":1}", "{\"x\":true}");
    assert_json_text(out, "{\"a\":1,\"r\":{\"x\":true}}");
    json_decref(out);
    out = set_ok("$.a", "{\"a\":1,\"b\":2}", "\"new\"");
    assert_json_text(out, "{\"a\":\"new\",\"b\":2}");
    json_decref(out);
    out = set_ok("$['a b'].c", "{\"a b\":{\"c\":1,\"d\":2}}", "null");
    assert_json_text(out, "{\"a b\":{\"c\":null,\"d\":2}}");
    json_decref(out);
}

static void test_jpath_set_creates_intermediates(void **state)
{
    (void)state;
    json_t *out = set_ok("$.a.b.c", "{\"x\":1}", "5");
    assert_json_text(out, "{\"x\":1,\"a\":{\"b\":{\"c\":5}}}");
    json_decref(out);
    out = set_ok("$.a.b.c", "{\"a\":{\"y\":0}}", "5");
    assert_json_text(out, "{\"a\":{\"y\":0,\"b\":{\"c\":5}}}");
    json_decref(out);
}

static void test_jpath_set_array_index(void **state)
{
    (void)state;
    json_t *out = set_ok("$.l[1].v", "{\"l\":[{\"v\":0},{\"v\":1}]}", "9");
    assert_json_text(out, "{\"l\":[{\"v\":0},{\"v\":9}]}");
    json_decref(out);
    out = set_ok("$.l[-1]", "{\"l\":[1,2,3]}", "9");
    assert_json_text(out, "{\"l\":[1,2,9]}");
    json_decref(out);
    set_fails("$.l[3]", "{\"l\":[1,2,3]}");
    set_fails("$.l[0]", "{}");
}

static void test_jpath_set_match_failure(void **state)
{
    (void)state;
    set_fails("$.a.b", "{\"a\":\"str\"}");
    set_fails("$.a.b", "{\"a\":null}");
    set_fails("$.a.b", "{\"a\":[1]}");
    set_fails("$.a.b.c", "{\"a\":{\"b\":5}}");
    set_fails("$.a", "[1,2]");
    set_fails("$.a", "\"text\"");
    set_fails("$[0]", "{\"0\":1}");
}

static void test_jpath_set_rejects_non_input_roots(void **state)
{
    (void)state;
    set_fails("$$.Execution", "{}");
    set_fails("$var.x", "{}");
    struct jpath *p = compile_ok("$.a[*]", JPATH_PATH);
    json_t *r = load("{\"a\":[1]}"), *out = NULL;
    assert_int_equal(jpath_set(p, r, r, &out), -1);
    json_decref(r);
    jpath_free(p);
}

static void test_jpath_set_shares_siblings(void **state)
{
    (void)state;
    struct jpath *p = compile_ok("$.a.x", JPATH_REFERENCE);
    json_t *r = load("{\"a\":{\"x\":1},\"big\":{\"k\":[1,2,3]}}"), *v = json_true(), *out;
    assert_int_equal(jpath_set(p, r, v, &out), 0);
    /* untouched siblings are shared, not deep-copied; the spine is new */
    assert_ptr_equal(json_object_get(out, "big"), json_object_get(r, "big"));
    assert_ptr_not_equal(json_object_get(out, "a"), json_object_get(r, "a"));
    assert_json_text(json_object_get(r, "a"), "{\"x\":1}");
    json_decref(out);
    json_decref(r);
    json_decref(v);
    jpath_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jpath_dot_names),
        cmocka_unit_test(test_jpath_root_alone),
        cmocka_unit_test(test_jpath_bracket_names),
        cmocka_unit_test(test_jpath_bracket_escapes),
        cmocka_unit_test(test_jpath_indexes),
        cmocka_unit_test(test_jpath_wildcards),
        cmocka_unit_test(test_jpath_deep_scan),
        cmocka_unit_test(test_jpath_slices),
        cmocka_unit_test(test_jpath_unions),
        cmocka_unit_test(test_jpath_filters_compare),
        cmocka_unit_test(test_jpath_filters_logic),
        cmocka_unit_test(test_jpath_filters_values),
        cmocka_unit_test(test_jpath_filters_paths),
        cmocka_unit_test(test_jpath_filters_regex),
        cmocka_unit_test(test_jpath_length),
        cmocka_unit_test(test_jpath_context_and_vars),
        cmocka_unit_test(test_jpath_whitespace),
        cmocka_unit_test(test_jpath_null_is_not_missing),
        cmocka_unit_test(test_jpath_not_found_messages),
        cmocka_unit_test(test_jpath_indefinite_results),
        cmocka_unit_test(test_jpath_definite_flag),
        cmocka_unit_test(test_jpath_eval_does_not_mutate),
        cmocka_unit_test(test_jpath_reference_rejections),
        cmocka_unit_test(test_jpath_syntax_rejections),
        cmocka_unit_test(test_jpath_filter_rejections),
        cmocka_unit_test(test_jpath_limits),
        cmocka_unit_test(test_jpath_compile_prefix),
        cmocka_unit_test(test_jpath_utf8_prefix),
        cmocka_unit_test(test_jpath_set_root_replaces),
        cmocka_unit_test(test_jpath_set_adds_and_overwrites),
        cmocka_unit_test(test_jpath_set_creates_intermediates),
        cmocka_unit_test(test_jpath_set_array_index),
        cmocka_unit_test(test_jpath_set_match_failure),
        cmocka_unit_test(test_jpath_set_rejects_non_input_roots),
        cmocka_unit_test(test_jpath_set_shares_siblings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
