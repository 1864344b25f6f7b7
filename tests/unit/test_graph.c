/*
 * Unit tests for graph.c: Choice rule text (every comparator family, And/Or/Not,
 * JSONata, tidying), Mermaid and DOT output for sequences, Choice, Parallel, Map,
 * Retry/Catch, label escaping in both languages, definition order and bad input.
 */
#include "helpers.h"

#include "base/xalloc.h"
#include "graph.h"

#include <stdio.h>

/* ---- helpers ------------------------------------------------------------------- */

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad test JSON: %s (%s)", je.text, text);
    return v;
}

/* Renders `asl` (JSON text); returns a new string. */
static char *render(const char *asl, enum graph_format fmt)
{
    json_t *v = load(asl);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(graph_render(v, fmt, "t", &sb), 0);
    json_decref(v);
    return strbuf_detach(&sb, NULL);
}

static void expect_render(const char *asl, enum graph_format fmt, const char *want)
{
    char *got = render(asl, fmt);
    assert_string_equal(got, want);
    free(got);
}

static void expect_rule(const char *rule, const char *want)
{
    json_t *v = load(rule);
    char *got = graph_rule_text(v);
    assert_string_equal(got, want);
    free(got);
    json_decref(v);
}

/* Asserts `needle` occurs in the rendering of `asl`. */
static void expect_contains(const char *asl, enum graph_format fmt, const char *needle)
{
    char *got = render(asl, fmt);
    if (!strstr(got, needle))
        fail_msg("'%s' not in:\n%s", needle, got);
    free(got);
}

static const char seq[] = "{\"StartAt\":\"A\",\"States\":{"
                          "\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::"
                          "lambda:invoke\",\"Next\":\"B\"},"
                          "\"B\":{\"Type\":\"Pass\",\"Next\":\"C\"},"
                          "\"C\":{\"Type\":\"Wait\",\"Seconds\":1,\"End\":true}}}";

/* ---- Choice rules ---------------------------------------------------------------- */

static void test_graph_format_parse(void **state)
{
    (void)state;
    enum graph_format f = GRAPH_MERMAID;
    assert_int_equal(graph_format_parse("dot", &f), 0);
    assert_int_equal(f, GRAPH_DOT);
    assert_int_equal(graph_format_parse("mermaid", &f), 0);
    assert_int_equal(f, GRAPH_MERMAID);
    assert_int_equal(graph_format_parse("svg", &f), -1);
}

static void test_graph_rule_comparators(void **state)
{
    (void)state;
    expect_rule("{\"Variable\":\"$.s\",\"StringEquals\":\"done\"}", "$.s == \"done\"");
    expect_rule("{\"Variable\":\"$.s\",\"StringLessThanEquals\":\"m\"}", "$.s <= \"m\"");
    expect_rule("{\"Variable\":\"$.s\",\"StringMatches\":\"log-*\"}",
                "$.s matches \"log-*\"");
    expect_rule("{\"Variable\":\"$.n\",\"NumericGreaterThan\":2.5}", "$.n > 2.5");
    expect_rule("{\"Variable\":\"$.n\",\"NumericLessThanPath\":\"$.max\"}",
                "$.n < $.max");
    expect_rule("{\"Variable\":\"$.b\",\"BooleanEquals\":true}", "$.b == true");
    expect_rule(
        "{\"Variable\":\"$.t\",\"TimestampGreaterThanEquals\":\"2026-01-01T00:00:00Z\"}",
        "$.t >= \"2026-01-01T00:00:00Z\"");
    expect_rule(
        "{\"Variable\":\"$.t\",\"TimestampEqualsPath\":\"$$.Execution.StartTime\"}",
        "$.t == $$.Execution.StartTime");
    expect_rule("{\"Variable\":\"$.x\",\"IsPresent\":true}", "$.x is present");
    expect_rule("{\"Variable\":\"$.x\",\"IsNull\":false}", "$.x is not null");
    expect_rule("{\"Variable\":\"$.x\",\"IsTimestamp\":true,\"Next\":\"A\"}",
                "$.x is timestamp");
}

static void test_graph_rule_and_or_not(void **state)
{
    (void)state;
    expect_rule("{\"And\":[{\"Variable\":\"$.a\",\"NumericEquals\":1},"
                "{\"Not\":{\"Variable\":\"$.b\",\"IsPresent\":true}}],\"Next\":\"X\"}",
                "$.a == 1 and not ($.b is present)");
    expect_rule("{\"Or\":[{\"Variable\":\"$.a\",\"NumericEquals\":1},"
                "{\"And\":[{\"Variable\":\"$.b\",\"IsNull\":true},"
                "{\"Variable\":\"$.c\",\"StringEquals\":\"x\"}]}]}",
                "$.a == 1 or ($.b is null and $.c == \"x\")");
    expect_rule("{\"Not\":{\"Or\":[{\"Variable\":\"$.a\",\"IsString\":true},"
                "{\"Variable\":\"$.a\",\"IsNumeric\":true}]}}",
                "not ($.a is string or $.a is numeric)");
}

static void test_graph_rule_jsonata_and_tidy(void **state)
{
    (void)state;
    expect_rule("{\"Condition\":\"{% $states.input.n > 1 %}\",\"Next\":\"A\"}",
                "$states.input.n > 1");
    expect_rule("{\"Condition\":\"{%\\n  $a\\n\\t and   $b %}\"}", "$a and $b");
    expect_rule("{\"Condition\":true}", "?");
    /* 100 characters stay; a longer text is cut after 100 with "...". */
    char cond[400], want[200];
    memset(want, 'x', 100);
    want[100] = '\0';
    snprintf(cond, sizeof(cond), "{\"Condition\":\"%s\"}", want);
    expect_rule(cond, want);
    snprintf(cond, sizeof(cond), "{\"Condition\":\"%sy\"}", want);
    strcat(want, "...");
    expect_rule(cond, want);
    /* Characters, not bytes: 100 two-byte characters fit. */
    struct strbuf sb = STRBUF_INIT, w = STRBUF_INIT;
    strbuf_adds(&sb, "{\"Condition\":\"");
    for (int i = 0; i < 100; i++) {
        strbuf_adds(&sb, "\xc3\xa9");
        strbuf_adds(&w, "\xc3\xa9");
    }
    strbuf_adds(&sb, "\"}");
    expect_rule(sb.buf, w.buf);
    strbuf_release(&sb);
    strbuf_release(&w);
}

static void test_graph_rule_unreadable(void **state)
{
    (void)state;
    expect_rule("{\"Variable\":\"$.a\",\"Next\":\"X\"}", "?");
    expect_rule("{\"StringEquals\":\"x\"}", "?");
    expect_rule("{\"And\":[]}", "?");
    expect_rule("{\"And\":[{\"Variable\":\"$.a\",\"IsNull\":true}, 7]}",
                "$.a is null and ?");
    expect_rule("[1]", "?");
}

/* ---- whole diagrams --------------------------------------------------------------- */

static void test_graph_mermaid_sequence(void **state)
{
    (void)state;
    expect_render(seq, GRAPH_MERMAID,
                  "flowchart TD\n"
                  "    z0_in((\"Start\"))\n"
                  "    s0[\"A\"]\n"
                  "    s1(\"B\")\n"
                  "    s2{{\"C\"}}\n"
                  "    z0_out(((\"End\")))\n"
                  "    z0_in --> s0\n"
                  "    s0 --> s1\n"
                  "    s1 --> s2\n"
                  "    s2 --> z0_out\n");
}

static void test_graph_dot_sequence(void **state)
{
    (void)state;
    expect_render(seq, GRAPH_DOT,
                  "digraph \"t\" {\n"
                  "    z0_in [label=\"Start\", shape=circle];\n"
                  "    s0 [label=\"A\", shape=box];\n"
                  "    s1 [label=\"B\", shape=box, style=rounded];\n"
                  "    s2 [label=\"C\", shape=hexagon];\n"
                  "    z0_out [label=\"End\", shape=doublecircle];\n"
                  "    z0_in -> s0;\n"
                  "    s0 -> s1;\n"
                  "    s1 -> s2;\n"
                  "    s2 -> z0_out;\n"
                  "}\n");
}

static const char choice[] =
    "{\"StartAt\":\"R\",\"States\":{"
    "\"R\":{\"Type\":\"Choice\",\"Choices\":["
    "{\"Variable\":\"$.s\",\"StringEquals\":\"a<b>\",\"Next\":\"Ok\"},"
    "{\"Not\":{\"Variable\":\"$.s\",\"IsPresent\":true},\"Next\":\"No\"}],"
    "\"Default\":\"No\"},"
    "\"Ok\":{\"Type\":\"Succeed\"},\"No\":{\"Type\":\"Fail\",\"Error\":\"E\"}}}";

static void test_graph_choice_edges(void **state)
{
    (void)state;
    expect_render(choice, GRAPH_MERMAID,
                  "flowchart TD\n"
                  "    z0_in((\"Start\"))\n"
                  "    s0{\"R\"}\n"
                  "    s1([\"Ok\"])\n"
                  "    s2>\"No\"]\n"
                  "    z0_out(((\"End\")))\n"
                  "    z0_in --> s0\n"
                  "    s0 -->|\"$.s == #quot;a#lt;b#gt;#quot;\"| s1\n"
                  "    s0 -->|\"not ($.s is present)\"| s2\n"
                  "    s0 -->|\"default\"| s2\n"
                  "    s1 --> z0_out\n"
                  "    s2 --> z0_out\n");
    expect_contains(choice, GRAPH_DOT, "    s0 -> s1 [label=\"$.s == \\\"a<b>\\\"\"];\n");
    expect_contains(choice, GRAPH_DOT, "    s0 -> s2 [label=\"default\"];\n");
    expect_contains(choice, GRAPH_DOT, "    s2 [label=\"No\", shape=octagon];\n");
}

static const char retry_catch[] =
    "{\"StartAt\":\"T\",\"States\":{"
    "\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
    "\"Retry\":[{\"ErrorEquals\":[\"States.Timeout\"]},"
    "{\"ErrorEquals\":[\"A.B\",\"C.D\"],\"MaxAttempts\":5}],"
    "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"F\"}],\"Next\":\"S\"},"
    "\"F\":{\"Type\":\"Fail\"},\"S\":{\"Type\":\"Succeed\"}}}";

static void test_graph_retry_and_catch(void **state)
{
    (void)state;
    expect_contains(retry_catch, GRAPH_MERMAID,
                    "    s0[\"T<br/>retry \xc3\x97"
                    "3: States.Timeout<br/>retry \xc3\x97"
                    "5: A.B, C.D\"]\n");
    expect_contains(retry_catch, GRAPH_MERMAID,
                    "    s0 --> s2\n    s0 -.->|\"States.ALL\"| s1\n");
    expect_contains(retry_catch, GRAPH_DOT,
                    "    s0 [label=\"T\\nretry \xc3\x97"
                    "3: States.Timeout\\nretry \xc3\x97"
                    "5: A.B, C.D\", shape=box];\n");
    expect_contains(retry_catch, GRAPH_DOT,
                    "    s0 -> s1 [label=\"States.ALL\", style=dashed];\n");
}

static const char parallel[] =
    "{\"StartAt\":\"P\",\"States\":{"
    "\"P\":{\"Type\":\"Parallel\",\"Branches\":["
    "{\"StartAt\":\"L\",\"States\":{\"L\":{\"Type\":\"Pass\",\"End\":true}}},"
    "{\"StartAt\":\"R\",\"States\":{\"R\":{\"Type\":\"Succeed\"}}}],"
    "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"F\"}],\"Next\":\"Z\"},"
    "\"F\":{\"Type\":\"Fail\"},\"Z\":{\"Type\":\"Pass\",\"End\":true}}}";

static void test_graph_parallel_mermaid(void **state)
{
    (void)state;
    expect_render(parallel, GRAPH_MERMAID,
                  "flowchart TD\n"
                  "    z0_in((\"Start\"))\n"
                  "    s0[[\"P (Parallel)\"]]\n"
                  "    s0_join((\" \"))\n"
                  "    subgraph z1[\"P: branch 1\"]\n"
                  "        s1(\"L\")\n"
                  "    end\n"
                  "    s0 --> s1\n"
                  "    s1 --> s0_join\n"
                  "    subgraph z2[\"P: branch 2\"]\n"
                  "        s2([\"R\"])\n"
                  "    end\n"
                  "    s0 --> s2\n"
                  "    s2 --> s0_join\n"
                  "    s3>\"F\"]\n"
                  "    s4(\"Z\")\n"
                  "    z0_out(((\"End\")))\n"
                  "    z0_in --> s0\n"
                  "    s0_join --> s4\n"
                  "    s0_join -.->|\"States.ALL\"| s3\n"
                  "    s3 --> z0_out\n"
                  "    s4 --> z0_out\n");
}

static void test_graph_parallel_dot(void **state)
{
    (void)state;
    expect_contains(parallel, GRAPH_DOT,
                    "    s0 [label=\"P (Parallel)\", shape=box, peripheries=2];\n"
                    "    s0_join [label=\"\", shape=point];\n"
                    "    subgraph cluster_z1 {\n"
                    "        label=\"P: branch 1\";\n"
                    "        style=\"rounded,dashed\";\n"
                    "        s1 [label=\"L\", shape=box, style=rounded];\n"
                    "    }\n"
                    "    s0 -> s1;\n"
                    "    s1 -> s0_join;\n");
    /* Next and Catch leave from the join node. */
    expect_contains(parallel, GRAPH_DOT,
                    "    s0_join -> s4;\n"
                    "    s0_join -> s3 [label=\"States.ALL\", style=dashed];\n");
}

static void test_graph_nested_edges_outside_clusters(void **state)
{
    (void)state;
    /*
     * A Map inside a Parallel branch: the Map's fork and join edges are written in the
     * branch's block (which holds both ends), never inside the processor's.
     */
    static const char nested[] =
        "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,"
        "\"Branches\":[{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":"
        "true,"
        "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{"
        "\"I\":{\"Type\":\"Pass\",\"Next\":\"J\"},\"J\":{\"Type\":\"Pass\",\"End\":true}"
        "}}}}}]}}}";
    expect_render(nested, GRAPH_DOT,
                  "digraph \"t\" {\n"
                  "    z0_in [label=\"Start\", shape=circle];\n"
                  "    s0 [label=\"P (Parallel)\", shape=box, peripheries=2];\n"
                  "    s0_join [label=\"\", shape=point];\n"
                  "    subgraph cluster_z1 {\n"
                  "        label=\"P: branch 1\";\n"
                  "        style=\"rounded,dashed\";\n"
                  "        s1 [label=\"M (Map)\", shape=box, peripheries=2];\n"
                  "        s1_join [label=\"\", shape=point];\n"
                  "        subgraph cluster_z2 {\n"
                  "            label=\"M: item processor\";\n"
                  "            style=\"rounded,dashed\";\n"
                  "            s2 [label=\"I\", shape=box, style=rounded];\n"
                  "            s3 [label=\"J\", shape=box, style=rounded];\n"
                  "            s2 -> s3;\n"
                  "        }\n"
                  "        s1 -> s2;\n"
                  "        s3 -> s1_join;\n"
                  "    }\n"
                  "    s0 -> s1;\n"
                  "    s1_join -> s0_join;\n"
                  "    z0_out [label=\"End\", shape=doublecircle];\n"
                  "    z0_in -> s0;\n"
                  "    s0_join -> z0_out;\n"
                  "}\n");
}

static void test_graph_map_processor(void **state)
{
    (void)state;
    static const char map[] =
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{"
        "\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},"
        "\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
        "\"Retry\":[{\"ErrorEquals\":[\"States.ItemReaderFailed\"],\"MaxAttempts\":1}],"
        "\"End\":true}}}";
    expect_render(map, GRAPH_MERMAID,
                  "flowchart TD\n"
                  "    z0_in((\"Start\"))\n"
                  "    s0[[\"M (Map, distributed)<br/>retry \xc3\x97"
                  "1: States.ItemReaderFailed\"]]\n"
                  "    s0_join((\" \"))\n"
                  "    subgraph z1[\"M: item processor\"]\n"
                  "        s1(\"I\")\n"
                  "    end\n"
                  "    s0 --> s1\n"
                  "    s1 --> s0_join\n"
                  "    z0_out(((\"End\")))\n"
                  "    z0_in --> s0\n"
                  "    s0_join --> z0_out\n");
    /* The legacy Iterator field is a processor too. */
    static const char iter[] =
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"Iterator\":{"
        "\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
        "\"End\":true}}}";
    expect_contains(iter, GRAPH_MERMAID,
                    "    s0[[\"M (Map)\"]]\n    s0_join((\" \"))\n"
                    "    subgraph z1[\"M: item processor\"]\n");
    /* Without a processor or branches the state is a plain node, left directly. */
    static const char bare[] =
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"Next\":\"P\"},"
        "\"P\":{\"Type\":\"Parallel\",\"Branches\":[],\"End\":true}}}";
    expect_contains(bare, GRAPH_MERMAID,
                    "    s0[[\"M (Map)\"]]\n    s1[[\"P (Parallel)\"]]\n"
                    "    z0_out(((\"End\")))\n    z0_in --> s0\n    s0 --> s1\n"
                    "    s1 --> z0_out\n");
    expect_contains(bare, GRAPH_DOT,
                    "    s0 [label=\"M (Map)\", shape=box, peripheries=2];\n");
}

static void test_graph_escaping(void **state)
{
    (void)state;
    static const char odd[] =
        "{\"StartAt\":\"a \\\"q\\\" [b] {c}\",\"States\":{"
        "\"a \\\"q\\\" [b] {c}\":{\"Type\":\"Pass\",\"Next\":\"<x> & #y; |z| `w` \\\\ "
        "end\"},"
        "\"<x> & #y; |z| `w` \\\\ end\":{\"Type\":\"Pass\",\"Next\":\"tab\\there\"},"
        "\"tab\\there\":{\"Type\":\"Succeed\"}}}";
    expect_contains(odd, GRAPH_MERMAID, "    s0(\"a #quot;q#quot; [b] {c}\")\n");
    expect_contains(odd, GRAPH_MERMAID,
                    "    s1(\"#lt;x#gt; #amp; #35;y; #124;z#124; #96;w#96; \\ end\")\n");
    expect_contains(odd, GRAPH_MERMAID, "    s2([\"tab here\"])\n");
    expect_contains(odd, GRAPH_DOT, "    s0 [label=\"a \\\"q\\\" [b] {c}\", ");
    expect_contains(odd, GRAPH_DOT, "    s1 [label=\"<x> & #y; |z| `w` \\\\ end\", ");
    expect_contains(odd, GRAPH_DOT, "    s2 [label=\"tab here\", ");
    /* The DOT graph name is escaped too. */
    json_t *v = load(odd);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(graph_render(v, GRAPH_DOT, "my \"flow\"", &sb), 0);
    assert_non_null(strstr(sb.buf, "digraph \"my \\\"flow\\\"\" {\n"));
    strbuf_release(&sb);
    json_decref(v);
}

static void test_graph_definition_order(void **state)
{
    (void)state;
    /* Numbered as written, not alphabetically; StartAt need not be first. */
    expect_render("{\"StartAt\":\"a\",\"States\":{\"z\":{\"Type\":\"Succeed\"},"
                  "\"a\":{\"Type\":\"Pass\",\"Next\":\"z\"}}}",
                  GRAPH_MERMAID,
                  "flowchart TD\n"
                  "    z0_in((\"Start\"))\n"
                  "    s0([\"z\"])\n"
                  "    s1(\"a\")\n"
                  "    z0_out(((\"End\")))\n"
                  "    z0_in --> s1\n"
                  "    s0 --> z0_out\n"
                  "    s1 --> s0\n");
}

static void test_graph_bad_input(void **state)
{
    (void)state;
    /* Targets outside the scope and malformed states are left out. */
    expect_render(
        "{\"StartAt\":\"gone\",\"States\":{\"a\":{\"Type\":\"Pass\",\"Next\":\"b\"},"
        "\"c\":7,\"d\":{\"Next\":\"a\"}}}",
        GRAPH_MERMAID,
        "flowchart TD\n"
        "    z0_in((\"Start\"))\n"
        "    s0(\"a\")\n"
        "    s1[\"d\"]\n"
        "    z0_out(((\"End\")))\n"
        "    s1 --> s0\n");
    static const char *const bad[] = {"[]", "{}", "{\"States\":[]}", "7"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        json_t *v = load(bad[i]);
        struct strbuf sb = STRBUF_INIT;
        assert_int_equal(graph_render(v, GRAPH_DOT, "t", &sb), -1);
        assert_int_equal(sb.len, 0);
        json_decref(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_format_parse),
        cmocka_unit_test(test_graph_rule_comparators),
        cmocka_unit_test(test_graph_rule_and_or_not),
        cmocka_unit_test(test_graph_rule_jsonata_and_tidy),
        cmocka_unit_test(test_graph_rule_unreadable),
        cmocka_unit_test(test_graph_mermaid_sequence),
        cmocka_unit_test(test_graph_dot_sequence),
        cmocka_unit_test(test_graph_choice_edges),
        cmocka_unit_test(test_graph_retry_and_catch),
        cmocka_unit_test(test_graph_parallel_mermaid),
        cmocka_unit_test(test_graph_parallel_dot),
        cmocka_unit_test(test_graph_nested_edges_outside_clusters),
        cmocka_unit_test(test_graph_map_processor),
        cmocka_unit_test(test_graph_escaping),
        cmocka_unit_test(test_graph_definition_order),
        cmocka_unit_test(test_graph_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
