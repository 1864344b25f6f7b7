/*
 * HCL value writer; see hcl.h. The layout rules mirror hclwrite's formatter (what
 * `terraform fmt` runs): `=` signs are aligned across consecutive lines whose value
 * fits on that line; a line that opens a multi-line value breaks the run.
 */
#include "emit/hcl.h"

#include "base/pfor.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HCL_INDENT 2

/* ---- strings and keys ----------------------------------------------------------- */

void hcl_string(struct strbuf *sb, const char *s, size_t len)
{
    strbuf_addch(sb, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool opens_template = i + 1 < len && s[i + 1] == '{';
        switch (c) {
        case '"':
            strbuf_adds(sb, "\\\"");
            break;
        case '\\':
            strbuf_adds(sb, "\\\\");
            break;
        case '\n':
            strbuf_adds(sb, "\\n");
            break;
        case '\r':
            strbuf_adds(sb, "\\r");
            break;
        case '\t':
            strbuf_adds(sb, "\\t");
            break;
        case '$':
        case '%':
            /* "${" and "%{" would start an interpolation or directive. */
            strbuf_addch(sb, (char)c);
            if (opens_template)
                strbuf_addch(sb, (char)c);
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                strbuf_addf(sb, "\\u%04X", c);
            else
                strbuf_addch(sb, (char)c);
        }
    }
    strbuf_addch(sb, '"');
}

/* Words that mean something else where an object key is expected. */
static const char *const reserved_keys[] = {"true", "false", "null", "for", "in", "if"};

static bool ident_start(char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool ident_char(char c)
{
    return ident_start(c) || c == '-' || (c >= '0' && c <= '9');
}

bool hcl_is_ident(const char *s, size_t len)
{
    if (!len || !ident_start(s[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!ident_char(s[i]))
            return false;
    for (size_t i = 0; i < ARRAY_SIZE(reserved_keys); i++)
        if (strlen(reserved_keys[i]) == len && !memcmp(reserved_keys[i], s, len))
            return false;
    return true;
}

void hcl_key(struct strbuf *sb, const char *key, size_t len)
{
    if (hcl_is_ident(key, len))
        strbuf_add(sb, key, len);
    else
        hcl_string(sb, key, len);
}

/* ---- column counting -------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at s[*i]; an invalid byte decodes as itself. */
static uint32_t next_code_point(const char *s, size_t len, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n == 1 || *i + n > len) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0x3F >> (n - 1));
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | ((unsigned char)s[*i + k] & 0x3F);
    *i += n;
    return cp;
}

/* Code points that extend the previous grapheme cluster instead of starting one. */
static const struct {
    uint32_t lo, hi;
} extenders[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
    {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},   {0x200C, 0x200C}, {0x20D0, 0x20FF},
    {0x3099, 0x309A},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F}, {0x1F3FB, 0x1F3FF},
    {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

static bool is_extender(uint32_t cp)
{
    if (cp < extenders[0].lo)
        return false; /* ASCII and Latin-1: the common case, settled at once */
    for (size_t i = 0; i < ARRAY_SIZE(extenders); i++)
        if (cp >= extenders[i].lo && cp <= extenders[i].hi)
            return true;
    return false;
}

size_t hcl_columns(const char *s, size_t len)
{
    size_t cols = 0, i = 0;
    bool joined = false, half_flag = false;
    while (i < len) {
        uint32_t cp = next_code_point(s, len, &i);
        bool flag = cp >= 0x1F1E6 && cp <= 0x1F1FF;
        if (cp == 0x200D) {
            joined = true; /* zero-width joiner: the next code point joins this cluster */
            continue;
        }
        if (joined || is_extender(cp) || (flag && half_flag)) {
            joined = false;
            half_flag = false;
            continue;
        }
        half_flag = flag; /* two regional indicators make one flag */
        cols++;
    }
    return cols;
}

/* ---- values ----------------------------------------------------------------------- */

static bool is_compound(const json_t *v)
{
    return (json_is_object(v) && json_object_size(v)) ||
           (json_is_array(v) && json_array_size(v));
}

static bool is_multiline(const json_t *v)
{
    if (json_is_object(v))
        return json_object_size(v) > 0;
    if (!json_is_array(v))
        return false;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (is_compound(json_array_get(v, i)))
            return true;
    return false;
}

static void write_scalar(struct strbuf *sb, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        hcl_string(sb, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        strbuf_addf(sb, "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        strbuf_adds(sb, "true");
        break;
    case JSON_FALSE:
        strbuf_adds(sb, "false");
        break;
    case JSON_NULL:
        strbuf_adds(sb, "null");
        break;
    default:
        BUG("not a scalar");
    }
}

struct attr {
    struct strbuf text; /* the key as written */
    size_t cols;
    bool multi;
    const json_t *value;
    struct strbuf rendered; /* the value, when rendered ahead (large objects) */
};

/*
 * An object with this many attributes (the workflows map of a large catalog) has its
 * multi-line values rendered on the thread pool first; they do not depend on each other.
 */
#define HCL_PARALLEL_MIN 256

struct ahead {
    struct attr *a;
    unsigned indent;
};

static void render_ahead(size_t i, void *ctx)
{
    struct ahead *h = ctx;
    if (h->a[i].multi)
        hcl_value(&h->a[i].rendered, h->a[i].value, h->indent);
}

/*
 * Writes the attributes of a non-empty object, one per line. Each run of consecutive
 * single-line attributes pads its keys to the widest key of the run.
 */
static void write_object(struct strbuf *sb, const json_t *obj, unsigned indent)
{
    size_t n = json_object_size(obj), i = 0;
    struct attr *a = xcalloc(n, sizeof(*a));

    for (void *it = json_object_iter((json_t *)obj); it;
         it = json_object_iter_next((json_t *)obj, it)) {
        const char *key = json_object_iter_key(it);
        strbuf_init(&a[i].text);
        hcl_key(&a[i].text, key, strlen(key));
        a[i].cols = hcl_columns(a[i].text.buf, a[i].text.len);
        a[i].value = json_object_iter_value(it);
        a[i].multi = is_multiline(a[i].value);
        strbuf_init(&a[i].rendered);
        i++;
    }
    struct ahead ahead = {a, indent + HCL_INDENT};
    if (n >= HCL_PARALLEL_MIN)
        pfor(n, 0, render_ahead, &ahead);

    strbuf_adds(sb, "{\n");
    for (size_t start = 0; start < n;) {
        size_t end = start + 1, width = a[start].cols;
        if (!a[start].multi)
            for (; end < n && !a[end].multi; end++)
                width = a[end].cols > width ? a[end].cols : width;
        for (size_t k = start; k < end; k++) {
            strbuf_addrep(sb, ' ', indent + HCL_INDENT);
            strbuf_add(sb, a[k].text.buf, a[k].text.len);
            strbuf_addrep(sb, ' ', a[k].multi ? 1 : width - a[k].cols + 1);
            strbuf_adds(sb, "= ");
            if (a[k].rendered.len)
                strbuf_add(sb, a[k].rendered.buf, a[k].rendered.len);
            else
                hcl_value(sb, a[k].value, indent + HCL_INDENT);
            strbuf_addch(sb, '\n');
        }
        start = end;
    }
    strbuf_addrep(sb, ' ', indent);
    strbuf_addch(sb, '}');

    for (i = 0; i < n; i++) {
        strbuf_release(&a[i].text);
        strbuf_release(&a[i].rendered);
    }
    free(a);
}

static void write_array(struct strbuf *sb, const json_t *arr, unsigned indent)
{
    size_t n = json_array_size(arr);
    bool multi = is_multiline(arr);

    strbuf_addch(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (multi) {
            strbuf_addch(sb, '\n');
            strbuf_addrep(sb, ' ', indent + HCL_INDENT);
            hcl_value(sb, json_array_get(arr, i), indent + HCL_INDENT);
            strbuf_addch(sb, ',');
        } else {
            if (i)
                strbuf_adds(sb, ", ");
            hcl_value(sb, json_array_get(arr, i), indent);
        }
    }
    if (multi) {
        strbuf_addch(sb, '\n');
        strbuf_addrep(sb, ' ', indent);
    }
    strbuf_addch(sb, ']');
}

void hcl_value(struct strbuf *sb, const json_t *v, unsigned indent)
{
    if (json_is_object(v)) {
        if (json_object_size(v))
            write_object(sb, v, indent);
        else
            strbuf_adds(sb, "{}");
    } else if (json_is_array(v)) {
        write_array(sb, v, indent);
    } else {
        write_scalar(sb, v);
    }
}

char *hcl_render(const json_t *v, unsigned indent)
{
    struct strbuf sb = STRBUF_INIT;
    hcl_value(&sb, v, indent);
    return strbuf_detach(&sb, NULL);
}
