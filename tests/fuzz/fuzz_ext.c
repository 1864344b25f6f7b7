/*
 * Fuzz target for the definition extensions' parsers: Command/Environment references,
 * Dates shifts and pictures. A parsed reference template rendered as an intrinsic
 * argument must always be a valid States.Array(...) call, and must evaluate back to
 * its literal text when it holds no reference.
 */
#include "base/strbuf.h"
#include "ext.h"
#include "interp/intrinsics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Renders a JSONPath-only template and checks the intrinsic round trip. */
static void check_intrinsic(const char *s, const struct ext_tmpl *t)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "States.Array(");
    ext_tmpl_intrinsic(&sb, t);
    strbuf_addch(&sb, ')');
    struct jpath_err err;
    struct intr_call *call = intr_compile(sb.buf, &err);
    if (!call)
        abort();
    if (!ext_tmpl_has_ref(t)) {
        struct intr_rng rng;
        struct intr_error ierr;
        json_t *out = NULL, *in = json_object();
        intr_rng_seed(&rng, 1);
        if (intr_eval(call, in, in, NULL, &rng, &out, &ierr))
            abort();
        const char *got = json_string_value(json_array_get(out, 0));
        /* the literal is the source with {{$ / {{% unescaped */
        struct strbuf want = STRBUF_INIT;
        for (size_t i = 0; s[i]; i++) {
            if (s[i] == '{' && s[i + 1] == '{' && (s[i + 2] == '$' || s[i + 2] == '%'))
                i++;
            strbuf_addch(&want, s[i]);
        }
        if (!got || strcmp(got, want.buf))
            abort();
        strbuf_release(&want);
        json_decref(out);
        json_decref(in);
    }
    intr_free(call);
    strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, 0, size))
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct ext_tmpl t;
    struct ext_ref_err err;
    if (ext_tmpl_parse(s, &t, &err) == 0) {
        bool jsonata = false;
        for (size_t i = 0; i < t.n; i++)
            jsonata |= t.v[i].kind == EXT_JSONATA;
        /* invalid UTF-8 is refused by yload before it gets here */
        json_t *utf8 = json_string(s);
        if (!jsonata && utf8)
            check_intrinsic(s, &t);
        json_decref(utf8);
        struct strbuf sb = STRBUF_INIT;
        ext_tmpl_jsonata(&sb, &t);
        strbuf_release(&sb);
        ext_tmpl_release(&t);
    } else if (err.off > size) {
        abort();
    }
    struct ext_shift shift;
    size_t bad;
    if (ext_dates_parse_shift(s, &shift, &bad) && bad > size)
        abort();
    const char *why;
    if (ext_dates_check_picture(s, &bad, &why) && bad > size)
        abort();
    free(s);
    return 0;
}
