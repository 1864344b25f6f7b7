/*
 * Fuzz target for intrinsic calls: any bytes must compile or fail with an offset
 * inside the text; a compiled call must evaluate against a fixed input to a value or
 * to a named error with a cause, the same way twice for the same seed, without
 * changing its input.
 */
#include "emit/jout.h"
#include "interp/intrinsics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char INPUT[] =
    "{\"a\":{\"b\":1},\"s\":\"a,b,,c\",\"list\":[1,2,2,{\"x\":1}],\"obj\":{\"k\":[1]},"
    "\"r\":2.5,\"n\":null,\"t\":true,\"tmpl\":\"{}-{}\",\"b64\":\"aGk=\",\"big\":1e300}";

static json_t *input, *ctx, *vars;
static char *input_text;

static void setup(void)
{
    if (input)
        return;
    input = json_loads(INPUT, 0, NULL);
    ctx = json_loads("{\"Execution\":{\"Id\":\"arn:aws:states:r:1:execution:sm:x\"},"
                     "\"StateMachine\":{\"Name\":\"a-b-c\"}}",
                     0, NULL);
    vars = json_loads("{\"v\":[3,1,2],\"w\":\"hi\"}", 0, NULL);
    input_text = jout_compact(input);
}

static int run(const struct intr_call *c, json_t **out, struct intr_error *err)
{
    struct intr_rng rng;
    intr_rng_seed(&rng, 1234);
    err->name = NULL;
    err->cause[0] = '\0';
    int rc = intr_eval(c, input, ctx, vars, &rng, out, err);
    if (rc != 0 && rc != -1)
        abort();
    if (rc == 0 && !*out)
        abort();
    if (rc && (!err->name || !err->cause[0]))
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    setup();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct jpath_err jerr = {0, ""};
    struct intr_call *c = intr_compile(text, &jerr);
    if (!c) {
        if (jerr.offset > strlen(text) || !jerr.msg[0])
            abort();
    } else {
        if (!intr_is_call(text))
            abort();
        json_t *a = NULL, *b = NULL;
        struct intr_error ea, eb;
        int ra = run(c, &a, &ea), rb = run(c, &b, &eb);
        if (ra != rb || (ra == 0 && !json_equal(a, b)) ||
            (ra && strcmp(ea.cause, eb.cause)))
            abort();
        json_decref(a);
        json_decref(b);
        intr_free(c);
    }
    char *after = jout_compact(input);
    if (strcmp(after, input_text))
        abort();
    free(after);
    free(text);
    return 0;
}
