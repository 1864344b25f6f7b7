/*
 * Unit tests for the validator's JSONata checks (src/asl/jsonata.c): syntax errors at
 * the token at fault (also inside nested values and Choice conditions), what Step
 * Functions refuses (the context item, $eval), $states members per field, and the
 * workflow variables a JSONata expression reads. YAML snippets, one line per string.
 */
#include "helpers.h"

#include "asl/validate.h"
#include "srcfile.h"
#include "yload.h"

static struct diag_list dl = DIAG_LIST_INIT;
static struct ydoc doc;
static bool loaded;

static void reset(void)
{
    if (loaded)
        ydoc_release(&doc);
    loaded = false;
    diag_release(&dl);
}

static int teardown(void **state)
{
    (void)state;
    reset();
    return 0;
}

static int run(const char *text)
{
    reset();
    assert_int_equal(yload_mem(&doc, "m.asl.yaml", text, strlen(text), &dl), 0);
    loaded = true;
    struct asl_opts opts = {0};
    int rc = asl_validate(&doc, doc.root, &opts, &dl);
    diag_sort(&dl);
    return rc;
}

static void dump(void)
{
    for (size_t i = 0; i < dl.nr; i++)
        print_message("  %u:%u WF%04u %s\n", dl.v[i].loc.line, dl.v[i].loc.col,
                      diag_info(dl.v[i].id)->num, dl.v[i].msg);
}

/* Exactly one diagnostic, with this code and position. */
static void only(enum diag_id id, unsigned line, unsigned col)
{
    if (dl.nr != 1)
        dump();
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, id, line, col);
}

/* The only diagnostic's message contains `part`. */
static void says(const char *part)
{
    assert_true(dl.nr >= 1);
    if (!strstr(dl.v[0].msg, part))
        fail_msg("message '%s' lacks '%s'", dl.v[0].msg, part);
}

#define HEAD "QueryLanguage: JSONata\nStartAt: A\nStates:\n"

/* ---- syntax ------------------------------------------------------------------------ */

static void test_asl_jsonata_syntax_position(void **state)
{
    (void)state;
    /* column of the value's quote: 13; the caret lands on the '*' wildcard's follower */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{% 10 + * 2 %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_SHAPE, 6, 24);
    says("(JSONata S0201)");
    /* blanks inside the delimiters count: the end of "1 +" is at the %} */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{%   1 +  %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_SHAPE, 6, 24);
    /* a JSONPath filter is not JSONata */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: \"{% $.books[?(@.price < 10)] %}\"\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_SHAPE, 6, 25);
    says("S0211");
}

static void test_asl_jsonata_syntax_nested_and_condition(void **state)
{
    (void)state;
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Assign: {x: {y: ['{% 420. %}']}}\n"
                              "    Next: C\n"
                              "  C:\n"
                              "    Type: Choice\n"
                              "    Choices:\n"
                              "      - Condition: '{% $x = ) %}'\n"
                              "        Next: E\n"
                              "    Default: E\n"
                              "  E: {Type: Succeed}\n"),
                     -1);
    assert_int_equal(dl.nr, 2);
    /* an array element: the caret at the element */
    assert_diag(&dl, 0, D_EXPR_JSONATA_SHAPE, 6, 22);
    assert_diag(&dl, 1, D_EXPR_JSONATA_SHAPE, 11, 29);
}

static void test_asl_jsonata_valid_expressions(void **state)
{
    (void)state;
    assert_int_equal(
        run(HEAD "  A:\n"
                 "    Type: Pass\n"
                 "    Assign: {n: 1}\n"
                 "    Output:\n"
                 "      a: '{% $states.input.items[price > 10].name %}'\n"
                 "      b: '{% ($f := function($v) { $v * 2 }; $map([1, 2], $f)) %}'\n"
                 "      c: '{% $states.input.xs@$x#$i.{\"x\": $x, \"i\": $i} %}'\n"
                 "      d: '{% $fromMillis($millis(), \"[Y0001]\", \"+0900\") %}'\n"
                 "      e: ' {% not an expression %} '\n"
                 "    Next: B\n"
                 "  B:\n"
                 "    Type: Pass\n"
                 "    Output: '{% $n %}'\n"
                 "    End: true\n"),
        0);
    /* only the literal with blanks around its delimiters is reported, as a warning */
    only(D_EXPR_JSONATA_SPACES, 12, 10);
}

/* ---- what Step Functions refuses ------------------------------------------------------
 */

static void test_asl_jsonata_context_item(void **state)
{
    (void)state;
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{% phone %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_AWS, 6, 17);
    says("reference to 'phone' at the top level");
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{% $eval(\"1\") %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_AWS, 6, 17);
    says("'$eval'");
}

/* ---- $states per field ----------------------------------------------------------------
 */

static void test_asl_jsonata_states_result(void **state)
{
    (void)state;
    /* a Task's Output and Assign have $states.result; its Arguments do not */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Task\n"
                              "    Resource: arn:aws:states:::lambda:invoke\n"
                              "    TimeoutSeconds: 5\n"
                              "    Arguments: {p: '{% $states.result %}'}\n"
                              "    Output: '{% $states.result.Payload %}'\n"
                              "    Assign: {r: '{% $states.result %}'}\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_STATES, 8, 32);
    says("'$states.result' is not available in 'p' of state 'A'");
    /* a Pass has no result */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{% $states.result %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_STATES, 6, 25);
}

static void test_asl_jsonata_states_error_output(void **state)
{
    (void)state;
    assert_int_equal(run(HEAD
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:states:::lambda:invoke\n"
                         "    TimeoutSeconds: 5\n"
                         "    Output: '{% $states.errorOutput %}'\n"
                         "    Catch:\n"
                         "      - ErrorEquals: [States.ALL]\n"
                         "        Output: '{% $states.errorOutput.Cause %}'\n"
                         "        Assign: {e: '{% $states.errorOutput %}', "
                         "i: '{% $states.input %}'}\n"
                         "        Next: E\n"
                         "    End: true\n"
                         "  E: {Type: Succeed, Output: '{% $states.context.State %}'}\n"),
                     -1);
    only(D_EXPR_JSONATA_STATES, 8, 25);
    says("'$states.errorOutput' is not available");
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Output: '{% $states.inputs %}'\n"
                              "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_STATES, 6, 25);
    says("does not exist");
}

/* ---- variables ------------------------------------------------------------------------
 */

static void test_asl_jsonata_variables(void **state)
{
    (void)state;
    /* read before any assignment: at the variable's position */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Pass\n"
                              "    Assign: {total: 1}\n"
                              "    Output: '{% $total + $count %}'\n"
                              "    Next: B\n"
                              "  B:\n"
                              "    Type: Pass\n"
                              "    Output: '{% $total %}'\n"
                              "    End: true\n"),
                     -1);
    /* only $total in A: A's own Assign is visible from the next state on; $count is
     * a function, and B reads $total after A assigned it */
    only(D_EXPR_VAR_UNASSIGNED, 7, 17);
    /* values assigned inside a Map iteration stay there */
    assert_int_equal(run(HEAD "  A:\n"
                              "    Type: Map\n"
                              "    MaxConcurrency: 1\n"
                              "    Items: [1]\n"
                              "    ItemProcessor:\n"
                              "      StartAt: I\n"
                              "      States:\n"
                              "        I: {Type: Pass, Assign: {inner: 1}, End: true}\n"
                              "    Next: B\n"
                              "  B: {Type: Pass, Output: '{% $inner %}', End: true}\n"),
                     -1);
    only(D_EXPR_VAR_UNASSIGNED, 13, 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_asl_jsonata_syntax_position, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_syntax_nested_and_condition, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_valid_expressions, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_context_item, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_states_result, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_states_error_output, teardown),
        cmocka_unit_test_teardown(test_asl_jsonata_variables, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
