/*
 * Unit tests for the HCL value writer (src/emit/hcl.c): escaping, key quoting, the
 * `terraform fmt` layout (alignment runs, nesting, multi-line lists) and column counts.
 */
#include "helpers.h"

#include "base/strbuf.h"
#include "emit/hcl.h"

/* Renders the JSON text `json` at `indent` and compares with `expected`. */
static void check(const char *json, unsigned indent, const char *expected)
{
    json_error_t je;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad test JSON: %s", je.text);
    char *s = hcl_render(v, indent);
    assert_string_equal(s, expected);
    free(s);
    json_decref(v);
}

static void test_hcl_scalars(void **state)
{
    (void)state;
    check("\"abc\"", 0, "\"abc\"");
    check("42", 0, "42");
    check("-7", 0, "-7");
    check("1.5", 0, "1.5");
    check("true", 0, "true");
    check("false", 0, "false");
    check("null", 0, "null");
}

static void test_hcl_string_escapes(void **state)
{
    (void)state;
    check("\"say \\\"hi\\\" \\\\ there\"", 0, "\"say \\\"hi\\\" \\\\ there\"");
    check("\"a\\nb\\tc\\rd\"", 0, "\"a\\nb\\tc\\rd\"");
    check("\"\\u0001\\u007f\"", 0, "\"\\u0001\\u007F\"");
    check("\"caf\\u00e9 \\u65e5\"", 0, "\"caf\xc3\xa9 \xe6\x97\xa5\"");
}

static void test_hcl_template_openers(void **state)
{
    (void)state;
    check("\"${var.x}\"", 0, "\"$${var.x}\"");
    check("\"%{ if x }\"", 0, "\"%%{ if x }\"");
    /* an already doubled opener stays literal text too */
    check("\"$${x}\"", 0, "\"$$${x}\"");
    /* a lone $ or % is not an opener */
    check("\"5$ 10% $x %y ${\"", 0, "\"5$ 10% $x %y $${\"");
}

static void test_hcl_string_with_nul(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    hcl_string(&sb, "a\0b", 3);
    assert_string_equal(sb.buf, "\"a\\u0000b\"");
    strbuf_release(&sb);
}

static void test_hcl_key_quoting(void **state)
{
    (void)state;
    assert_true(hcl_is_ident("team", 4));
    assert_true(hcl_is_ident("_x-1", 4));
    assert_true(hcl_is_ident("Name", 4));
    assert_false(hcl_is_ident("", 0));
    assert_false(hcl_is_ident("1a", 2));
    assert_false(hcl_is_ident("-a", 2));
    assert_false(hcl_is_ident("a.b", 3));
    assert_false(hcl_is_ident("aws:team", 8));
    assert_false(hcl_is_ident("true", 4));
    assert_false(hcl_is_ident("null", 4));
    assert_false(hcl_is_ident("for", 3));
    check("{\"aws:SourceAccount\": 1, \"ok\": 2, \"for\": 3, \"\": 4}", 0,
          "{\n"
          "  \"aws:SourceAccount\" = 1\n"
          "  ok                  = 2\n"
          "  \"for\"               = 3\n"
          "  \"\"                  = 4\n"
          "}");
}

static void test_hcl_empty_containers(void **state)
{
    (void)state;
    check("{}", 0, "{}");
    check("[]", 0, "[]");
    check("{\"a\": {}, \"bb\": [], \"ccc\": [{}]}", 0,
          "{\n"
          "  a   = {}\n"
          "  bb  = []\n"
          "  ccc = [{}]\n"
          "}");
}

static void test_hcl_alignment_runs(void **state)
{
    (void)state;
    /* a multi-line value ends a run of aligned `=`; a new run starts after it */
    check("{\"a\": 1, \"long_name\": \"x\", \"nested\": {\"k\": true}, \"b\": null, "
          "\"cc\": [1, 2]}",
          0,
          "{\n"
          "  a         = 1\n"
          "  long_name = \"x\"\n"
          "  nested = {\n"
          "    k = true\n"
          "  }\n"
          "  b  = null\n"
          "  cc = [1, 2]\n"
          "}");
}

static void test_hcl_alignment_counts_graphemes(void **state)
{
    (void)state;
    /* terraform fmt counts grapheme clusters: "é" written e + U+0301 is one column */
    check("{\"e\\u0301\": 1, \"abcd\": 2, \"\\u65e5\\u672c\": 3}", 0,
          "{\n"
          "  \"e\xcc\x81\"  = 1\n"
          "  abcd = 2\n"
          "  \"\xe6\x97\xa5\xe6\x9c\xac\" = 3\n"
          "}");
}

static void test_hcl_nesting_and_indent(void **state)
{
    (void)state;
    check("{\"wf\": {\"name\": \"a\", \"tags\": {\"team\": \"ads\"}}}", 2,
          "{\n"
          "    wf = {\n"
          "      name = \"a\"\n"
          "      tags = {\n"
          "        team = \"ads\"\n"
          "      }\n"
          "    }\n"
          "  }");
}

/* A large object (values rendered ahead on threads) keeps its order and layout. */
static void test_hcl_large_object(void **state)
{
    (void)state;
    struct strbuf json = STRBUF_INIT, want = STRBUF_INIT;
    strbuf_adds(&json, "{");
    strbuf_adds(&want, "{\n");
    for (int i = 0; i < 600; i++) {
        if (i % 3 == 2) { /* single-line values between the blocks, aligned per run */
            strbuf_addf(&json, "%s\"s%03d\": %d", i ? "," : "", i, i);
            strbuf_addf(&want, "  s%03d = %d\n", i, i);
            continue;
        }
        strbuf_addf(&json, "%s\"w%03d\": {\"n\": %d, \"name\": \"x%d\"}", i ? "," : "", i,
                    i, i);
        strbuf_addf(&want, "  w%03d = {\n    n    = %d\n    name = \"x%d\"\n  }\n", i, i,
                    i);
    }
    strbuf_adds(&json, "}");
    strbuf_adds(&want, "}");
    check(json.buf, 0, want.buf);
    strbuf_release(&json);
    strbuf_release(&want);
}

static void test_hcl_lists(void **state)
{
    (void)state;
    check("[\"a\", \"b\", 3, null]", 0, "[\"a\", \"b\", 3, null]");
    check("{\"l\": [{\"a\": 1}, \"x\", [1]]}", 0,
          "{\n"
          "  l = [\n"
          "    {\n"
          "      a = 1\n"
          "    },\n"
          "    \"x\",\n"
          "    [1],\n"
          "  ]\n"
          "}");
}

static void test_hcl_columns(void **state)
{
    (void)state;
    assert_int_equal(hcl_columns("abc", 3), 3);
    assert_int_equal(hcl_columns("e\xcc\x81", 3), 1);    /* e + combining acute */
    assert_int_equal(hcl_columns("\xe6\x97\xa5", 3), 1); /* one CJK character */
    assert_int_equal(hcl_columns("\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5", 8), 1); /* flag JP */
    assert_int_equal(hcl_columns("a\u200Db", 5), 1); /* a, zero-width joiner, b */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hcl_scalars),
        cmocka_unit_test(test_hcl_string_escapes),
        cmocka_unit_test(test_hcl_template_openers),
        cmocka_unit_test(test_hcl_string_with_nul),
        cmocka_unit_test(test_hcl_key_quoting),
        cmocka_unit_test(test_hcl_empty_containers),
        cmocka_unit_test(test_hcl_alignment_runs),
        cmocka_unit_test(test_hcl_alignment_counts_graphemes),
        cmocka_unit_test(test_hcl_nesting_and_indent),
        cmocka_unit_test(test_hcl_lists),
        cmocka_unit_test(test_hcl_large_object),
        cmocka_unit_test(test_hcl_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
