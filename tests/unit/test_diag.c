/* Unit tests for diagnostics: the code table and the text renderer. */
#include "helpers.h"
#include "srcfile.h"

static void test_diag_numbers_are_unique(void **state)
{
    (void)state;
    for (int i = 0; i < D__COUNT; i++)
        for (int j = 0; j < i; j++)
            if (diag_info((enum diag_id)i)->num == diag_info((enum diag_id)j)->num)
                fail_msg(
                    "WF%04u is used by both %s and %s", diag_info((enum diag_id)i)->num,
                    diag_info((enum diag_id)j)->name, diag_info((enum diag_id)i)->name);
}

static void test_diag_render_text(void **state)
{
    (void)state;
    const struct srcfile *f = srcfile_from_mem("m.yaml", "a: 1\nb: héllo\n", 15);
    struct diag_list dl = DIAG_LIST_INIT;
    diag_add(&dl, D_CAT_TYPE, (struct loc){f, 2, 4, 5}, "bad '%s'", "b");
    diag_note(&dl, "fix %d", 1);
    diag_add(&dl, D_CAT_UNKNOWN_KEY, (struct loc){f, 1, 1, 1}, "first");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    diag_print(&dl, DIAG_TEXT, out);
    fclose(out);
    assert_string_equal(buf, "m.yaml:1:1: error: first [WF1001]\n"
                             "  a: 1\n"
                             "  ^\n"
                             "m.yaml:2:4: error: bad 'b' [WF1003]\n"
                             "  b: héllo\n"
                             "     ^~~~~\n"
                             "note: fix 1\n");
    assert_true(diag_failed(&dl, false));
    free(buf);
    diag_release(&dl);
}

static void test_diag_warnings_and_werror(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(diag_add(&dl, D_CAT_NO_WORKFLOWS, (struct loc){0}, "none"), 0);
    assert_false(diag_failed(&dl, false));
    assert_true(diag_failed(&dl, true));
    diag_release(&dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_numbers_are_unique),
        cmocka_unit_test(test_diag_render_text),
        cmocka_unit_test(test_diag_warnings_and_werror),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    srcfile_free_all();
    return rc;
}
