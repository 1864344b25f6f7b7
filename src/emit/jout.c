/*
 * Canonical JSON writer; see jout.h.
 *
 * The bytes are exactly those of jansson's json_dump* with JSON_INDENT(2) (or
 * JSON_COMPACT), JSON_REAL_PRECISION(15) and JSON_ENCODE_ANY; tests/unit/test_jout.c
 * compares the two on many documents. wfgen writes its own because json_dump_callback
 * hands every token to a callback and was a third of a large build's time; this walks
 * the tree once into one growing buffer, copying runs of plain string bytes whole.
 */
#include "emit/jout.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDENT_WIDTH 2

/* A writer appends to sb, or only counts bytes when sb is NULL (the *_size calls). */
struct jw {
    struct strbuf *sb;
    size_t n;
    bool pretty;
};

static void out(struct jw *w, const char *p, size_t len)
{
    if (w->sb)
        strbuf_add(w->sb, p, len);
    else
        w->n += len;
}

static void out_ch(struct jw *w, char c)
{
    if (w->sb)
        strbuf_addch(w->sb, c);
    else
        w->n++;
}

static void out_rep(struct jw *w, char c, size_t count)
{
    if (w->sb)
        strbuf_addrep(w->sb, c, count);
    else
        w->n += count;
}

/* The escape of each byte below 0x20 and of '"' and '\\'; NULL = copied as it is. */
static const char *escape_of(unsigned char c)
{
    static const char *const short_form[256] = {
        ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
        ['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
    };
    static const char *const hex[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
        "\\u0007", "\\u0008", "\\u0009", "\\u000A", "\\u000B", "\\u000C", "\\u000D",
        "\\u000E", "\\u000F", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014",
        "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001A", "\\u001B",
        "\\u001C", "\\u001D", "\\u001E", "\\u001F",
    };
    if (short_form[c])
        return short_form[c];
    return c < 0x20 ? hex[c] : NULL;
}

static void put_string(struct jw *w, const char *s, size_t len)
{
    if (w->sb)
        strbuf_grow(w->sb, len + 2);
    out_ch(w, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c < 0x20 || c == '"' || c == '\\' ? escape_of(c) : NULL;
        if (!esc)
            continue;
        out(w, s + run, i - run);
        out(w, esc, strlen(esc));
        run = i + 1;
    }
    out(w, s + run, len - run);
    out_ch(w, '"');
}

/*
 * %.15g, then jansson's touches: a ".0" when the text would read back as an integer,
 * and no '+' or leading zeros in the exponent ("1e+20" -> "1e20", "1e-05" -> "1e-5").
 */
static void put_real(struct jw *w, double d)
{
    char buf[40];
    int n = snprintf(buf, sizeof(buf) - 2, "%.15g", d);
    char *e = strchr(buf, 'e');
    if (!e && !strchr(buf, '.')) {
        out(w, buf, (size_t)n);
        out(w, ".0", 2);
        return;
    }
    if (e) {
        char *digits = e + 1 + (e[1] == '-');
        char *from = e[1] == '-' ? digits : e + 1;
        while (*from == '+' || *from == '0')
            from++;
        memmove(digits, from, strlen(from) + 1);
        n = (int)strlen(buf);
    }
    out(w, buf, (size_t)n);
}

static void put_integer(struct jw *w, json_int_t i)
{
    char buf[24], *p = buf + sizeof(buf);
    unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (i < 0)
        *--p = '-';
    out(w, p, (size_t)(buf + sizeof(buf) - p));
}

static void newline(struct jw *w, size_t depth)
{
    if (!w->pretty)
        return;
    out_ch(w, '\n');
    out_rep(w, ' ', depth * INDENT_WIDTH);
}

static void put_value(struct jw *w, const json_t *v, size_t depth);

static void put_array(struct jw *w, const json_t *a, size_t depth)
{
    size_t n = json_array_size(a);
    out_ch(w, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_ch(w, ',');
        newline(w, depth + 1);
        put_value(w, json_array_get(a, i), depth + 1);
    }
    if (n)
        newline(w, depth);
    out_ch(w, ']');
}

static void put_object(struct jw *w, const json_t *o, size_t depth)
{
    bool first = true;
    out_ch(w, '{');
    for (void *it = json_object_iter((json_t *)o); it;
         it = json_object_iter_next((json_t *)o, it)) {
        if (!first)
            out_ch(w, ',');
        first = false;
        newline(w, depth + 1);
        put_string(w, json_object_iter_key(it), json_object_iter_key_len(it));
        out(w, ": ", w->pretty ? 2 : 1);
        put_value(w, json_object_iter_value(it), depth + 1);
    }
    if (!first)
        newline(w, depth);
    out_ch(w, '}');
}

static void put_value(struct jw *w, const json_t *v, size_t depth)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put_object(w, v, depth);
        return;
    case JSON_ARRAY:
        put_array(w, v, depth);
        return;
    case JSON_STRING:
        put_string(w, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        put_integer(w, json_integer_value(v));
        return;
    case JSON_REAL:
        put_real(w, json_real_value(v));
        return;
    case JSON_TRUE:
        out(w, "true", 4);
        return;
    case JSON_FALSE:
        out(w, "false", 5);
        return;
    case JSON_NULL:
        out(w, "null", 4);
        return;
    }
}

static size_t write_json(struct strbuf *sb, const json_t *v, bool pretty)
{
    if (!v)
        BUG("jout: NULL value");
    struct jw w = {sb, 0, pretty};
    put_value(&w, v, 0);
    return w.n;
}

char *jout_dump(const json_t *v, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_grow(&sb, 256);
    write_json(&sb, v, true);
    strbuf_addch(&sb, '\n');
    return strbuf_detach(&sb, len);
}

char *jout_compact(const json_t *v)
{
    struct strbuf sb = STRBUF_INIT;
    write_json(&sb, v, false);
    return strbuf_detach(&sb, NULL);
}

size_t jout_compact_size(const json_t *v)
{
    return write_json(NULL, v, false);
}

size_t jout_dump_size(const json_t *v)
{
    return write_json(NULL, v, true) + 1;
}

void jout_print(const json_t *v, FILE *out)
{
    size_t len;
    char *s = jout_dump(v, &len);
    fwrite(s, 1, len, out);
    free(s);
}
