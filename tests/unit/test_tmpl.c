/*
 * Unit tests for the template engine (src/emit/tmpl.c): substitution, filters,
 * comments, the \{{ escape, error diagnostics with line:col, and the built-in folder.
 */
#include "helpers.h"

#include "base/fsutil.h"
#include "emit/tmpl.h"
#include "srcfile.h"

#include <unistd.h>

static const char vars_json[] =
    "{\"project\": \"adplatform\", \"n\": 30, \"on\": true,"
    " \"aws\": {\"region\": \"ap-northeast-1\"},"
    " \"obj\": {\"a\": 1, \"bb\": {\"c\": \"x\"}}, \"list\": [\"s\", 2]}";

/* Renders `text` with vars_json; returns the result (caller frees) and the rc. */
static char *render(const char *text, struct diag_list *dl, int *rc)
{
    json_t *vars = json_loads(vars_json, 0, NULL);
    assert_non_null(vars);
    const struct srcfile *f = srcfile_from_mem("t.tf.tmpl", text, strlen(text));
    struct strbuf out = STRBUF_INIT;
    *rc = tmpl_render(f, vars, &out, dl);
    json_decref(vars);
    return strbuf_detach(&out, NULL);
}

static void expect(const char *text, const char *expected)
{
    struct diag_list dl = DIAG_LIST_INIT;
    int rc;
    char *s = render(text, &dl, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(dl.nr, 0);
    assert_string_equal(s, expected);
    free(s);
    diag_release(&dl);
}

static void test_tmpl_substitution(void **state)
{
    (void)state;
    expect("name = \"{{ project }}\"\n", "name = \"adplatform\"\n");
    expect("{{project}}-{{ aws.region }}", "adplatform-ap-northeast-1");
    expect("days = {{ n }}, on = {{on}}", "days = 30, on = true");
    expect("no placeholders { } }} {x}\n", "no placeholders { } }} {x}\n");
    expect("", "");
}

static void test_tmpl_filters(void **state)
{
    (void)state;
    expect("p = {{ project | hcl }}", "p = \"adplatform\"");
    expect("p = {{ project|raw }}", "p = adplatform");
    expect("l = {{ list | json }}", "l = [\"s\",2]");
    expect("l = {{ list | hcl }}", "l = [\"s\", 2]");
    /* a multi-line value is indented relative to the placeholder's line */
    expect("locals {\n  o = {{ obj | hcl }}\n}\n", "locals {\n"
                                                   "  o = {\n"
                                                   "    a = 1\n"
                                                   "    bb = {\n"
                                                   "      c = \"x\"\n"
                                                   "    }\n"
                                                   "  }\n"
                                                   "}\n");
}

static void test_tmpl_escapes(void **state)
{
    (void)state;
    expect("\\{{ project }}", "{{ project }}");
    expect("a \\\\{{ project }}", "a \\adplatform");
    expect("path\\to {x}", "path\\to {x}");
}

static void test_tmpl_comments(void **state)
{
    (void)state;
    /* a line holding only a comment disappears with its newline */
    expect("{{! note }}\nline\n  {{! indented | with bar }}  \nend", "line\nend");
    /* a comment inside a line leaves the rest of the line */
    expect("a{{! x }}b\n", "ab\n");
    expect("{{! last line, no newline }}", "");
}

static void test_tmpl_unknown_placeholder(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    int rc;
    char *s = render("line one\n  x = {{ nope }}\n  y = {{ aws.zone }} {{ project }}\n",
                     &dl, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_BUILD_TEMPLATE, 2, 7);
    assert_int_equal(dl.v[0].loc.len, 10);
    assert_non_null(strstr(dl.v[0].msg, "unknown placeholder 'nope'"));
    assert_int_equal(dl.v[0].nnotes, 1);
    assert_non_null(strstr(dl.v[0].notes[0], "project, n, on, aws, obj, list"));
    assert_diag(&dl, 1, D_BUILD_TEMPLATE, 3, 7);
    assert_non_null(strstr(dl.v[1].msg, "'aws.zone'"));
    /* rendering went on after the errors */
    assert_non_null(strstr(s, "adplatform"));
    free(s);
    diag_release(&dl);
}

/* Renders a template expected to fail with one diagnostic at line:col holding `msg`. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *msg)
{
    struct diag_list dl = DIAG_LIST_INIT;
    int rc;
    char *s = render(text, &dl, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_BUILD_TEMPLATE, line, col);
    if (!strstr(dl.v[0].msg, msg))
        fail_msg("message '%s' lacks '%s'", dl.v[0].msg, msg);
    free(s);
    diag_release(&dl);
}

static void test_tmpl_errors(void **state)
{
    (void)state;
    expect_error("a {{ project\n}}", 1, 3, "unterminated placeholder");
    expect_error("{{ project", 1, 1, "unterminated placeholder");
    expect_error("x\n{{ project | upper }}", 2, 1, "unknown filter 'upper'");
    expect_error("{{ two words }}", 1, 1, "malformed placeholder");
    expect_error("{{ }}", 1, 1, "malformed placeholder");
    expect_error("{{ a..b }}", 1, 1, "malformed placeholder");
    expect_error("{{ obj }}", 1, 1, "placeholder 'obj' is not a string");
    /* columns count characters, not bytes */
    expect_error("# \xc3\xa9t\xc3\xa9 {{ x }}", 1, 7, "unknown placeholder 'x'");
}

static void test_tmpl_render_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/wfgen-tmpl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = fs_join(dir, "a.tf.tmpl");
    const char text[] = "r = \"{{ aws.region }}\"\n";
    assert_int_equal(fs_write_atomic(path, text, strlen(text)), 0);

    json_t *vars = json_loads(vars_json, 0, NULL);
    struct diag_list dl = DIAG_LIST_INIT;
    struct strbuf out = STRBUF_INIT;
    assert_int_equal(tmpl_render_file(dir, "a.tf.tmpl", vars, &out, &dl), 0);
    assert_string_equal(out.buf, "r = \"ap-northeast-1\"\n");

    /* a missing template is an error naming its path */
    assert_int_equal(tmpl_render_file(dir, "missing.tf.tmpl", vars, &out, &dl), -1);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_BUILD_TEMPLATE);
    assert_non_null(strstr(dl.v[0].msg, "missing.tf.tmpl"));

    unlink(path);
    rmdir(dir);
    free(path);
    strbuf_release(&out);
    diag_release(&dl);
    json_decref(vars);
}

static void test_tmpl_builtin_dir_env(void **state)
{
    (void)state;
    setenv("WFGEN_TEMPLATES", "/some/where", 1);
    char *d = tmpl_builtin_dir();
    assert_string_equal(d, "/some/where");
    free(d);
    unsetenv("WFGEN_TEMPLATES");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpl_substitution),
        cmocka_unit_test(test_tmpl_filters),
        cmocka_unit_test(test_tmpl_escapes),
        cmocka_unit_test(test_tmpl_comments),
        cmocka_unit_test(test_tmpl_unknown_placeholder),
        cmocka_unit_test(test_tmpl_errors),
        cmocka_unit_test(test_tmpl_render_file),
        cmocka_unit_test(test_tmpl_builtin_dir_env),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    srcfile_free_all();
    return rc;
}
