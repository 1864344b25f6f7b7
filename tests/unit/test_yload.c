/* Unit tests for the YAML/JSON loader: typing, locations and every rejected input. */
#include "helpers.h"
#include "srcfile.h"
#include "yload.h"

static int load(struct ydoc *doc, struct diag_list *dl, const char *text)
{
    return yload_mem(doc, "t.yaml", text, strlen(text), dl);
}

static void test_yload_core_schema(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl,
                          "a: on\nb: no\nc: yes\nd: true\ne: ~\nf: 12\ng: 1.5\nh: '12'\n"
                          "i: 0x1F\nj: 0o17\nk: -7\nl: 1e3\nm: null\nn: FALSE\n"),
                     0);
    assert_json_text(doc.root,
                     "{\"a\":\"on\",\"b\":\"no\",\"c\":\"yes\",\"d\":true,\"e\":null,"
                     "\"f\":12,\"g\":1.5,\"h\":\"12\",\"i\":31,\"j\":15,\"k\":-7,"
                     "\"l\":1000.0,\"m\":null,\"n\":false}");
    ydoc_release(&doc);
    diag_release(&dl);
}

static void test_yload_json_keeps_order_and_tabs(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, "{\n\t\"z\":1,\"a\":\"x\\ty\",\n\t\"m\": [true]}\n"),
                     0);
    assert_json_text(doc.root, "{\"z\":1,\"a\":\"x\\ty\",\"m\":[true]}");
    ydoc_release(&doc);
    diag_release(&dl);
}

static void test_yload_locations(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(
        load(&doc, &dl, "top:\n  flag: true\n  list:\n    - a\n    - b: $.x.y\n"), 0);
    json_t *top = json_object_get(doc.root, "top");
    struct loc l = yload_member_loc(&doc, top, "flag");
    assert_int_equal(l.line, 2);
    assert_int_equal(l.col, 9);
    l = yload_key_loc(&doc, top, "flag");
    assert_int_equal(l.col, 3);
    json_t *list = json_object_get(top, "list");
    l = yload_index_loc(&doc, list, 1);
    assert_int_equal(l.line, 5);
    json_t *b = json_array_get(list, 1);
    l = yload_member_subloc(&doc, b, "b", 2, 1);
    assert_int_equal(l.line, 5);
    assert_int_equal(l.col, 12);
    l = yload_loc(&doc, doc.root);
    assert_int_equal(l.line, 1);
    ydoc_release(&doc);
    diag_release(&dl);
}

static void test_yload_subloc_quoted(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, "{\"p\": \"$.a..b\"}"), 0);
    struct loc l = yload_member_subloc(&doc, doc.root, "p", 3, 2);
    assert_int_equal(l.col, 11);
    ydoc_release(&doc);
    diag_release(&dl);
}

static void expect_error(const char *text, enum diag_id id, unsigned line, unsigned col)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, text), -1);
    assert_null(doc.root);
    assert_true(dl.nr >= 1);
    assert_diag(&dl, 0, id, line, col);
    diag_release(&dl);
}

static void test_yload_rejects(void **state)
{
    (void)state;
    expect_error("a: 1\nb: 2\na: 3\n", D_YAML_DUP_KEY, 3, 1);
    expect_error("n: 99999999999999999999\n", D_YAML_INT_RANGE, 1, 4);
    expect_error("n: .inf\n", D_YAML_NONFINITE, 1, 4);
    expect_error("n: 1e999\n", D_YAML_NONFINITE, 1, 4);
    expect_error("a: *nope\n", D_YAML_UNDEF_ALIAS, 1, 4);
    expect_error("? [a]\n: b\n", D_YAML_KEY_TYPE, 1, 3);
    expect_error("a: !foo x\n", D_YAML_TAG, 1, 4);
    expect_error("a: 1\n---\nb: 2\n", D_YAML_MULTI_DOC, 2, 1);
    expect_error("", D_YAML_EMPTY, 0, 0);
    expect_error("a: [1, 2\n", D_YAML_SYNTAX, 2, 1);
    expect_error("a: b: c\n", D_YAML_SYNTAX, 1, 5);
    expect_error("ok: 1\nx: \"\xff\"\n", D_YAML_UTF8, 2, 5);
}

static void test_yload_alias_budget(void **state)
{
    (void)state;
    char text[4096];
    int n = snprintf(text, sizeof(text), "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n,
                      "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                      'a' + i, 'a' + i, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1,
                      'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1,
                      'a' + i - 1, 'a' + i - 1);
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, text), -1);
    assert_int_equal(dl.v[0].id, D_YAML_ALIAS_BUDGET);
    diag_release(&dl);
}

static void test_yload_aliases_resolve(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, "base: &b {x: 1}\nuse: *b\ns: &s hi\nt: *s\n"), 0);
    assert_json_text(doc.root,
                     "{\"base\":{\"x\":1},\"use\":{\"x\":1},\"s\":\"hi\",\"t\":\"hi\"}");
    ydoc_release(&doc);
    diag_release(&dl);
}

static void test_yload_depth_cap(void **state)
{
    (void)state;
    char text[YLOAD_MAX_DEPTH + 8];
    memset(text, '[', YLOAD_MAX_DEPTH + 2);
    text[YLOAD_MAX_DEPTH + 2] = '\0';
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, text), -1);
    assert_int_equal(dl.v[0].id, D_YAML_DEPTH);
    diag_release(&dl);
}

static void test_yload_tags(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(load(&doc, &dl, "a: !!str 12\nb: !!int 7\nc: ! true\n"), 0);
    assert_json_text(doc.root, "{\"a\":\"12\",\"b\":7,\"c\":\"true\"}");
    ydoc_release(&doc);
    diag_release(&dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yload_core_schema),
        cmocka_unit_test(test_yload_json_keeps_order_and_tabs),
        cmocka_unit_test(test_yload_locations),
        cmocka_unit_test(test_yload_subloc_quoted),
        cmocka_unit_test(test_yload_rejects),
        cmocka_unit_test(test_yload_alias_budget),
        cmocka_unit_test(test_yload_aliases_resolve),
        cmocka_unit_test(test_yload_depth_cap),
        cmocka_unit_test(test_yload_tags),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    srcfile_free_all();
    return rc;
}
