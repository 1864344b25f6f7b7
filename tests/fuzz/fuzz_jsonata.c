/*
 * Fuzz target for the JSONata engine: any bytes must either fail to compile with a code
 * and an offset inside the text, or compile to an expression that evaluates (plain and
 * AWS mode, under small depth, step and memory budgets) to a result, undefined, a
 * function or an error with a code, without changing the input document.
 */
#include "emit/jout.h"
#include "interp/jsonata.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
    "{\"a\":{\"b\":[1,2,{\"c\":\"x\",\"d\":null}],\"e\":\"str\"},\"n\":null,\"t\":true,"
    "\"list\":[{\"p\":5,\"q\":\"x\"},{\"p\":15},{\"p\":\"7\"},[1,[2]]],\"a b\":1.5}";

static json_t *doc, *bindings;
static char *doc_text;

static void setup(void)
{
    if (doc)
        return;
    doc = json_loads(DOC, 0, NULL);
    bindings =
        json_loads("{\"states\":{\"input\":{\"x\":[1,2,3]},\"context\":{\"Execution\":"
                   "{\"Id\":\"e\"}}},\"v\":{\"w\":[1,2]},\"s\":\"x\"}",
                   0, NULL);
    doc_text = jout_compact(doc);
}

static void run(const struct jsonata *j, enum jsonata_mode mode)
{
    struct intr_rng rng;
    intr_rng_seed(&rng, 1);
    struct jsonata_env env = {0};
    env.mode = mode;
    env.input = doc;
    env.bindings = bindings;
    env.now_ms = 1500000000000;
    env.rng = &rng;
    env.max_depth = 200;
    env.max_steps = 200000;
    env.max_bytes = 16 << 20;
    json_t *out = NULL;
    struct jsonata_err err = {{0}, 0, {0}};
    int rc = jsonata_eval(j, &env, &out, &err);
    if (rc == -1 && (!err.code[0] || out))
        abort();
    if (rc == JSONATA_FUNCTION && out)
        abort();
    if (rc != -1 && rc != 0 && rc != JSONATA_FUNCTION)
        abort();
    if (out)
        free(jout_compact(out));
    json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    setup();
    struct jsonata_err err = {{0}, 0, {0}};
    struct jsonata *j = jsonata_compile((const char *)data, size, &err);
    if (!j) {
        if (err.offset > size || !err.code[0] || err.code[0] != 'S')
            abort();
        return 0;
    }
    run(j, JSONATA_PLAIN);
    run(j, JSONATA_AWS);
    if (jsonata_check_aws(j, &err) && err.offset > size)
        abort();
    jsonata_free(j);
    char *after = jout_compact(doc);
    if (strcmp(after, doc_text))
        abort();
    free(after);
    return 0;
}
