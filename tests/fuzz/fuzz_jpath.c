/*
 * Fuzz target for the JSONPath engine: any bytes must compile or fail with an offset
 * inside the text; a compiled path must evaluate against a fixed document without
 * changing it, give an array when indefinite, and, as a reference path, write a
 * value that reading the same path gives back.
 */
#include "emit/jout.h"
#include "interp/jpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
    "{\"a\":{\"b\":[1,2,{\"c\":\"x\",\"d\":null}],\"e\":\"str\"},\"n\":null,\"t\":true,"
    "\"list\":[{\"p\":5,\"q\":\"x\"},{\"p\":15},{\"p\":\"7\"},[1,[2]]],\"a b\":1.5,"
    "\"\\u00e9\":{\"k\":[]}}";

static json_t *doc, *ctx, *vars;
static char *doc_text;

static void setup(void)
{
    if (doc)
        return;
    doc = json_loads(DOC, 0, NULL);
    ctx =
        json_loads("{\"Execution\":{\"Id\":\"id\",\"Input\":{\"x\":1}},\"Map\":{\"Item\":"
                   "{\"Index\":0}}}",
                   0, NULL);
    vars = json_loads("{\"v\":{\"w\":[1,2]},\"s\":\"x\"}", 0, NULL);
    doc_text = jout_compact(doc);
}

static void check_compiled(struct jpath *p, enum jpath_kind kind)
{
    json_t *out = NULL;
    struct jpath_err err;
    int rc = jpath_eval(p, doc, ctx, vars, &out, &err);
    if (rc != 0 && rc != JPATH_NOT_FOUND)
        abort();
    if (rc == 0 && (!out || (!jpath_is_definite(p) && !json_is_array(out))))
        abort();
    json_decref(out);
    if (jpath_check(jpath_text(p), kind, &err))
        abort();
    if (kind != JPATH_REFERENCE)
        return;
    json_t *value = json_pack("{s:i}", "fuzz", 1), *res = NULL, *back = NULL;
    if (jpath_set(p, doc, value, &res) == 0) {
        if (jpath_eval(p, res, ctx, vars, &back, NULL) || !json_equal(back, value))
            abort();
        json_decref(back);
        json_decref(res);
    }
    json_decref(value);
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
    size_t len = strlen(text);
    int path_ok = 0;
    for (int k = 0; k < 2; k++) {
        enum jpath_kind kind = k ? JPATH_REFERENCE : JPATH_PATH;
        struct jpath_err err = {0, ""};
        struct jpath *p = jpath_compile(text, kind, &err);
        if (!p) {
            if (err.offset > len || !err.msg[0])
                abort();
            continue;
        }
        if (kind == JPATH_PATH)
            path_ok = 1;
        else if (!path_ok)
            abort(); /* a reference path is always a path */
        check_compiled(p, kind);
        jpath_free(p);
    }
    char *after = jout_compact(doc);
    if (strcmp(after, doc_text))
        abort();
    free(after);
    free(text);
    return 0;
}
