/*
 * Intrinsic functions of JSONPath mode: a parser compiling a call into a small tree
 * (literals, compiled jpaths, nested calls), argument checks shared by intr_check and
 * the evaluator, and the 18 States.* functions with AWS's quirks (asl-semantics.md 9).
 */
#include "interp/intrinsics.h"

#include "base/crypto.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Error name of every run-time intrinsic failure. The spec says
 * States.IntrinsicFailure; LocalStack and floci report States.Runtime, and a missing
 * path argument is States.Runtime [peer] (asl-semantics.md 3.2, 9.1, open question 2).
 * We follow the emulators until a recording pins it; this is the one place to change.
 */
#define INTR_ERROR_NAME "States.Runtime"

#define MAX_CHARS 10000 /* Base64 and Hash input limit, in (UTF-16) characters */
#define MAX_RANGE 1000  /* ArrayRange result limit */

/* ================================================================================
 * Argument kinds
 * ================================================================================ */

enum kind {
    K_NONE,
    K_ANY,
    K_STRING,
    K_NUMBER,
    K_INT,
    K_ARRAY,
    K_OBJECT,
    K_BOOL,
    K_POSINT,  /* integer >= 1 */
    K_INT32,   /* integer in Java int range */
    K_STEP,    /* K_INT32, not 0 */
    K_INDEX,   /* integer >= 0 */
    K_STR10K,  /* string of at most MAX_CHARS characters */
    K_HASHALG, /* MD5, SHA-1, SHA-256, SHA-384, SHA-512 */
    K_FALSE,   /* the boolean false */
    K_NUM32,   /* number that rounds into Java int range */
};

typedef int (*kind_refine)(const json_t *v, char *why, size_t n);

static int refine_posint(const json_t *v, char *why, size_t n);
static int refine_int32(const json_t *v, char *why, size_t n);
static int refine_step(const json_t *v, char *why, size_t n);
static int refine_index(const json_t *v, char *why, size_t n);
static int refine_str10k(const json_t *v, char *why, size_t n);
static int refine_hashalg(const json_t *v, char *why, size_t n);
static int refine_false(const json_t *v, char *why, size_t n);
static int refine_num32(const json_t *v, char *why, size_t n);

static const struct kind_info {
    enum kind base;     /* the JSON type it needs */
    const char *name;   /* for "<name> expected, got ..." */
    kind_refine refine; /* further condition, or NULL */
} kinds[] = {
    [K_NONE] = {K_NONE, "nothing", NULL},
    [K_ANY] = {K_ANY, "value", NULL},
    [K_STRING] = {K_STRING, "string", NULL},
    [K_NUMBER] = {K_NUMBER, "number", NULL},
    [K_INT] = {K_INT, "integer", NULL},
    [K_ARRAY] = {K_ARRAY, "array", NULL},
    [K_OBJECT] = {K_OBJECT, "object", NULL},
    [K_BOOL] = {K_BOOL, "boolean", NULL},
    [K_POSINT] = {K_INT, "integer", refine_posint},
    [K_INT32] = {K_INT, "integer", refine_int32},
    [K_STEP] = {K_INT, "integer", refine_step},
    [K_INDEX] = {K_INT, "integer", refine_index},
    [K_STR10K] = {K_STRING, "string", refine_str10k},
    [K_HASHALG] = {K_STRING, "string", refine_hashalg},
    [K_FALSE] = {K_BOOL, "boolean", refine_false},
    [K_NUM32] = {K_NUMBER, "number", refine_num32},
};

static int is_integral(const json_t *v)
{
    if (json_is_integer(v))
        return 1;
    if (!json_is_real(v))
        return 0;
    double d = json_real_value(v);
    return d == floor(d) && d > -9.2e18 && d < 9.2e18;
}

static long long int_of(const json_t *v)
{
    return json_is_integer(v) ? (long long)json_integer_value(v)
                              : (long long)json_real_value(v);
}

const char *intr_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

static int base_matches(enum kind base, const json_t *v)
{
    switch (base) {
    case K_ANY:
        return 1;
    case K_STRING:
        return json_is_string(v);
    case K_NUMBER:
        return json_is_number(v);
    case K_INT:
        return is_integral(v);
    case K_ARRAY:
        return json_is_array(v);
    case K_OBJECT:
        return json_is_object(v);
    case K_BOOL:
        return json_is_boolean(v);
    default:
        return 0;
    }
}

/* Checks v against kind k; on failure fills why ("array expected, got string"). */
static int check_kind(enum kind k, const json_t *v, char *why, size_t n)
{
    const struct kind_info *ki = &kinds[k];
    if (!base_matches(ki->base, v)) {
        if (ki->base == K_INT && json_is_real(v))
            snprintf(why, n, "integer expected, got %.17g", json_real_value(v));
        else
            snprintf(why, n, "%s expected, got %s", ki->name, intr_type_name(v));
        return -1;
    }
    return ki->refine ? ki->refine(v, why, n) : 0;
}

static int refine_posint(const json_t *v, char *why, size_t n)
{
    if (int_of(v) >= 1)
        return 0;
    snprintf(why, n, "positive integer expected, got %lld", int_of(v));
    return -1;
}

static int refine_int32(const json_t *v, char *why, size_t n)
{
    long long i = int_of(v);
    if (i >= INT32_MIN && i <= INT32_MAX)
        return 0;
    snprintf(why, n, "%lld is outside the 32-bit integer range", i);
    return -1;
}

static int refine_step(const json_t *v, char *why, size_t n)
{
    if (int_of(v) == 0) {
        snprintf(why, n, "step must not be 0");
        return -1;
    }
    return refine_int32(v, why, n);
}

static int refine_index(const json_t *v, char *why, size_t n)
{
    if (int_of(v) >= 0)
        return 0;
    snprintf(why, n, "index must not be negative, got %lld", int_of(v));
    return -1;
}

/* Java counts characters in UTF-16 units: a code point above U+FFFF counts twice. */
static size_t utf16_length(const char *s, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            len += c >= 0xF0 ? 2 : 1;
    }
    return len;
}

static int refine_str10k(const json_t *v, char *why, size_t n)
{
    size_t len = utf16_length(json_string_value(v), json_string_length(v));
    if (len <= MAX_CHARS)
        return 0;
    snprintf(why, n, "string of %zu characters is longer than the limit of %d", len,
             MAX_CHARS);
    return -1;
}

static int refine_hashalg(const json_t *v, char *why, size_t n)
{
    if (crypto_digest_known(json_string_value(v), json_string_length(v)))
        return 0;
    snprintf(why, n,
             "unsupported algorithm '%.60s' (use MD5, SHA-1, SHA-256, SHA-384 or "
             "SHA-512)",
             json_string_value(v));
    return -1;
}

static int refine_false(const json_t *v, char *why, size_t n)
{
    if (json_is_false(v))
        return 0;
    snprintf(why, n, "deep merge is not supported (use false)");
    return -1;
}

/* MathAdd's recorded rounding: half-up, toward +infinity (-1.5 -> -1, 2.5 -> 3). */
static double round_half_up(double d)
{
    double f = floor(d);
    return d - f >= 0.5 ? f + 1 : f;
}

static double rounded(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v)
                              : round_half_up(json_real_value(v));
}

static int refine_num32(const json_t *v, char *why, size_t n)
{
    double d = rounded(v);
    if (d >= INT32_MIN && d <= INT32_MAX)
        return 0;
    snprintf(why, n, "%.17g is outside the 32-bit integer range", json_number_value(v));
    return -1;
}

/* Whether a call returning `got` can feed a parameter of kind `want`. */
static int kinds_compatible(enum kind want, enum kind got)
{
    enum kind w = kinds[want].base, g = kinds[got].base;
    if (w == K_ANY || g == K_ANY || w == g)
        return 1;
    return (w == K_INT && g == K_NUMBER) || (w == K_NUMBER && g == K_INT);
}

/* ================================================================================
 * The function table
 * ================================================================================ */

struct inode;
struct iparser;
struct icall;

typedef int (*intr_fn)(struct icall *c, json_t **argv, size_t argc, json_t **out);
typedef int (*intr_chk)(struct iparser *ps, struct inode *call);

struct idef {
    const char *name;
    int min, max;     /* arity; max -1: variadic */
    enum kind result; /* what the call returns, for static checks of nesting */
    intr_chk chk;     /* static check across literal arguments, or NULL */
    enum kind kind[3];
    intr_fn fn;
};

static int chk_format(struct iparser *ps, struct inode *call);
static int chk_range(struct iparser *ps, struct inode *call);
static int chk_random(struct iparser *ps, struct inode *call);

#define INTR(name, min, max, res, chk, k1, k2, k3)                                       \
    static int fn_##name(struct icall *c, json_t **argv, size_t argc, json_t **out);
#include "interp/intrinsics.def"
#undef INTR

static const struct idef defs[] = {
#define INTR(name, min, max, res, chk, k1, k2, k3)                                       \
    {"States." #name, min, max, res, chk, {k1, k2, k3}, fn_##name},
#include "interp/intrinsics.def"
#undef INTR
};

static const struct idef *find_def(const char *name, size_t n)
{
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++)
        if (strlen(defs[i].name) == n && !memcmp(defs[i].name, name, n))
            return &defs[i];
    return NULL;
}

/* The kind of argument i (0-based); variadic tails repeat the last listed kind. */
static enum kind arg_kind(const struct idef *d, size_t i)
{
    enum kind k = K_NONE;
    for (size_t j = 0; j < 3 && j <= i; j++)
        if (d->kind[j] != K_NONE)
            k = d->kind[j];
    return k;
}

/*
 * The one format of every argument error, at check time and at run time. A message cut
 * at the buffer's end is acceptable (it is for people), so gcc's truncation warning is
 * silenced here only.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
static void format_argerror(char *buf, size_t n, const struct idef *d, size_t argno,
                            const char *why)
{
    snprintf(buf, n, "bad argument #%zu to '%s' (%s)", argno, d->name, why);
}
#pragma GCC diagnostic pop

/* ================================================================================
 * Compiled form and Format templates
 * ================================================================================ */

enum node_type { N_CALL, N_LIT, N_PATH };

struct piece {
    char *s;
    size_t len;
};

/* A Format template: text pieces around the {} holes (holes = n - 1). */
struct tmpl {
    struct piece *v;
    size_t n;
};

struct inode {
    enum node_type type;
    size_t off;          /* byte offset in the expression */
    json_t *lit;         /* N_LIT */
    size_t raw, raw_len; /* N_LIT strings: the text between the quotes */
    struct jpath *path;  /* N_PATH */
    const struct idef *def;
    struct inode **argv; /* N_CALL */
    size_t argc, alloc;
    struct tmpl *tmpl; /* N_CALL of Format with a literal template */
};

struct intr_call {
    char *text;
    struct inode *root;
};

static void tmpl_free(struct tmpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].s);
    free(t->v);
    free(t);
}

static void tmpl_cut(struct tmpl *t, struct strbuf *sb, size_t *alloc)
{
    VEC_GROW(t->v, t->n + 1, *alloc);
    t->v[t->n].len = sb->len;
    t->v[t->n].s = strbuf_detach(sb, NULL);
    t->n++;
}

/*
 * Splits a template at its {} holes. From a literal (`escaped`), \{ \} \' \\ stand
 * for themselves and a lone brace is an error: *bad gets its offset and NULL is
 * returned. A template computed at run time has no escapes: only "{}" is special.
 */
static struct tmpl *tmpl_build(const char *s, size_t n, int escaped, size_t *bad)
{
    struct tmpl *t = xcalloc(1, sizeof(*t));
    struct strbuf sb = STRBUF_INIT;
    size_t alloc = 0;
    for (size_t i = 0; i < n; i++) {
        if (escaped && s[i] == '\\' && i + 1 < n) {
            strbuf_addch(&sb, s[++i]);
        } else if (s[i] == '{' && i + 1 < n && s[i + 1] == '}') {
            tmpl_cut(t, &sb, &alloc);
            i++;
        } else if (escaped && (s[i] == '{' || s[i] == '}')) {
            *bad = i;
            strbuf_release(&sb);
            tmpl_free(t);
            return NULL;
        } else {
            strbuf_addch(&sb, s[i]);
        }
    }
    tmpl_cut(t, &sb, &alloc);
    return t;
}

static void node_free(struct inode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->argc; i++)
        node_free(n->argv[i]);
    free(n->argv);
    json_decref(n->lit);
    jpath_free(n->path);
    tmpl_free(n->tmpl);
    free(n);
}

/* ================================================================================
 * Parser
 * ================================================================================ */

struct iparser {
    const char *s;
    size_t pos;
    struct jpath_err *err;
};

static int ierr(struct iparser *ps, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ierr(struct iparser *ps, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jpath_verr(ps->err, off, fmt, ap);
    va_end(ap);
    return -1;
}

static int arg_err(struct iparser *ps, const struct inode *call, size_t i,
                   const char *why)
{
    char msg[sizeof(ps->err->msg)];
    format_argerror(msg, sizeof(msg), call->def, i + 1, why);
    return ierr(ps, call->argv[i]->off, "%s", msg);
}

static int cur(const struct iparser *ps)
{
    return (unsigned char)ps->s[ps->pos];
}

static void skip_ws(struct iparser *ps)
{
    while (cur(ps) == ' ' || cur(ps) == '\t' || cur(ps) == '\n' || cur(ps) == '\r')
        ps->pos++;
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_word(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

/* Describes the byte at the cursor: "'x'", "byte 0x07" or "the end". */
static const char *describe(const struct iparser *ps, char buf[16])
{
    int c = cur(ps);
    if (!c)
        return "the end of the expression";
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
    return buf;
}

static struct inode *node_new(enum node_type t, size_t off)
{
    struct inode *n = xcalloc(1, sizeof(*n));
    n->type = t;
    n->off = off;
    return n;
}

/* A '...' literal: the only escapes are \' \{ \} \\ (asl-semantics.md 9.1). */
static struct inode *parse_string(struct iparser *ps)
{
    struct strbuf sb = STRBUF_INIT;
    size_t start = ps->pos++;
    for (;;) {
        int c = cur(ps);
        if (!c) {
            ierr(ps, start, "unterminated string literal");
            goto fail;
        }
        if (c == '\'')
            break;
        if (c == '\\') {
            int e = (unsigned char)ps->s[ps->pos + 1];
            if (!e || !strchr("'{}\\", e)) {
                if (e)
                    ierr(ps, ps->pos,
                         "invalid escape '\\%c' (only \\', \\{, \\} and \\\\ are "
                         "allowed)",
                         e);
                else
                    ierr(ps, ps->pos, "lone backslash at the end of the string");
                goto fail;
            }
            strbuf_addch(&sb, (char)e);
            ps->pos += 2;
            continue;
        }
        strbuf_addch(&sb, (char)c);
        ps->pos++;
    }
    struct inode *n = node_new(N_LIT, start);
    n->raw = start + 1;
    n->raw_len = ps->pos - n->raw;
    ps->pos++;
    n->lit = json_stringn(sb.buf, sb.len);
    strbuf_release(&sb);
    if (!n->lit) {
        ierr(ps, start, "invalid UTF-8 in string literal");
        node_free(n);
        return NULL;
    }
    return n;
fail:
    strbuf_release(&sb);
    return NULL;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static struct inode *parse_number(struct iparser *ps)
{
    size_t start = ps->pos, i = ps->pos;
    const char *s = ps->s;
    int real = 0;
    if (s[i] == '-')
        i++;
    if (!is_digit(s[i])) {
        ierr(ps, i, "expected a digit after '-'");
        return NULL;
    }
    if (s[i] == '0' && is_digit(s[i + 1])) {
        ierr(ps, start, "numbers must not have leading zeros");
        return NULL;
    }
    while (is_digit(s[i]))
        i++;
    if (s[i] == '.') {
        real = 1;
        if (!is_digit(s[++i])) {
            ierr(ps, i, "expected a digit after '.'");
            return NULL;
        }
        while (is_digit(s[i]))
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        real = 1;
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!is_digit(s[i])) {
            ierr(ps, i, "expected a digit in the exponent");
            return NULL;
        }
        while (is_digit(s[i]))
            i++;
    }
    char *text = xstrndup(s + start, i - start);
    json_t *v = NULL;
    if (!real) {
        errno = 0;
        long long ll = strtoll(text, NULL, 10);
        if (errno == 0)
            v = json_integer(ll);
    } else {
        double d = strtod(text, NULL);
        if (isfinite(d))
            v = json_real(d);
    }
    free(text);
    if (!v) {
        ierr(ps, start, "number out of range");
        return NULL;
    }
    ps->pos = i;
    struct inode *n = node_new(N_LIT, start);
    n->lit = v;
    return n;
}

static struct inode *parse_patharg(struct iparser *ps)
{
    struct jpath_err jerr;
    size_t used;
    struct jpath *p = jpath_compile_prefix(ps->s + ps->pos, JPATH_PATH, &used, &jerr);
    if (!p) {
        ierr(ps, ps->pos + jerr.offset, "%s", jerr.msg);
        return NULL;
    }
    struct inode *n = node_new(N_PATH, ps->pos);
    n->path = p;
    ps->pos += used;
    return n;
}

static struct inode *parse_call(struct iparser *ps, unsigned depth);

static struct inode *parse_arg(struct iparser *ps, unsigned depth)
{
    int c = cur(ps);
    char b[16];
    if (c == '\'')
        return parse_string(ps);
    if (c == '$')
        return parse_patharg(ps);
    if (c == '-' || is_digit(c))
        return parse_number(ps);
    if (!is_alpha(c)) {
        ierr(ps, ps->pos, "expected an argument but found %s", describe(ps, b));
        return NULL;
    }
    size_t start = ps->pos, n = 0;
    while (is_word(ps->s[start + n]))
        n++;
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (strlen(words[i]) == n && !memcmp(ps->s + start, words[i], n)) {
            struct inode *lit = node_new(N_LIT, start);
            lit->lit = i == 0 ? json_true() : i == 1 ? json_false() : json_null();
            ps->pos += n;
            return lit;
        }
    }
    if (n == 6 && !memcmp(ps->s + start, "States", 6) && ps->s[start + 6] == '.')
        return parse_call(ps, depth + 1);
    ierr(ps, start, "unexpected word '%.*s' (string literals take single quotes)",
         (int)(n > 40 ? 40 : n), ps->s + start);
    return NULL;
}

static int check_arity(struct iparser *ps, const struct inode *call)
{
    const struct idef *d = call->def;
    size_t n = call->argc;
    if (n >= (size_t)d->min && (d->max < 0 || n <= (size_t)d->max))
        return 0;
    if (d->max < 0)
        return ierr(ps, call->off, "'%s' takes at least %d argument%s, got %zu", d->name,
                    d->min, d->min == 1 ? "" : "s", n);
    if (d->min == d->max)
        return ierr(ps, call->off, "'%s' takes %d argument%s, got %zu", d->name, d->min,
                    d->min == 1 ? "" : "s", n);
    return ierr(ps, call->off, "'%s' takes %d to %d arguments, got %zu", d->name, d->min,
                d->max, n);
}

/* Kinds of literal arguments and of nested calls' results; then the table's check. */
static int check_call(struct iparser *ps, struct inode *call)
{
    char why[128];
    if (check_arity(ps, call) < 0)
        return -1;
    for (size_t i = 0; i < call->argc; i++) {
        const struct inode *a = call->argv[i];
        enum kind want = arg_kind(call->def, i);
        if (a->type == N_LIT && check_kind(want, a->lit, why, sizeof(why)) < 0)
            return arg_err(ps, call, i, why);
        if (a->type == N_CALL && !kinds_compatible(want, a->def->result)) {
            snprintf(why, sizeof(why), "%s expected, got %s from '%s'", kinds[want].name,
                     kinds[kinds[a->def->result].base].name, a->def->name);
            return arg_err(ps, call, i, why);
        }
    }
    return call->def->chk ? call->def->chk(ps, call) : 0;
}

static struct inode *parse_call(struct iparser *ps, unsigned depth)
{
    size_t start = ps->pos;
    char b[16];
    if (depth > INTR_MAX_DEPTH) {
        ierr(ps, start, "intrinsic functions nested more than %d levels deep",
             INTR_MAX_DEPTH);
        return NULL;
    }
    if (strncmp(ps->s + start, "States.", 7)) {
        ierr(ps, start,
             "expected an intrinsic function call such as 'States.Format(...)'");
        return NULL;
    }
    size_t n = 7;
    while (is_word(ps->s[start + n]))
        n++;
    const struct idef *d = find_def(ps->s + start, n);
    if (!d) {
        ierr(ps, start, "unknown intrinsic function '%.*s'", (int)(n > 60 ? 60 : n),
             ps->s + start);
        return NULL;
    }
    ps->pos += n;
    skip_ws(ps);
    if (cur(ps) != '(') {
        ierr(ps, ps->pos, "expected '(' after '%s' but found %s", d->name,
             describe(ps, b));
        return NULL;
    }
    ps->pos++;
    struct inode *call = node_new(N_CALL, start);
    call->def = d;
    skip_ws(ps);
    while (cur(ps) != ')') {
        struct inode *a = parse_arg(ps, depth);
        if (!a)
            goto fail;
        VEC_GROW(call->argv, call->argc + 1, call->alloc);
        call->argv[call->argc++] = a;
        skip_ws(ps);
        if (cur(ps) == ',') {
            ps->pos++;
            skip_ws(ps);
            if (cur(ps) == ')') {
                ierr(ps, ps->pos, "expected an argument after ','");
                goto fail;
            }
        } else if (cur(ps) != ')') {
            ierr(ps, ps->pos, "expected ',' or ')' but found %s", describe(ps, b));
            goto fail;
        }
    }
    ps->pos++;
    if (check_call(ps, call) < 0)
        goto fail;
    return call;
fail:
    node_free(call);
    return NULL;
}

/* ---- static checks across arguments (the chk column of intrinsics.def) ---------- */

/* Compiles a literal template once, and checks braces and the number of values. */
static int chk_format(struct iparser *ps, struct inode *call)
{
    const struct inode *t = call->argv[0];
    if (t->type != N_LIT)
        return 0;
    size_t bad;
    call->tmpl = tmpl_build(ps->s + t->raw, t->raw_len, 1, &bad);
    if (!call->tmpl)
        return ierr(ps, t->raw + bad,
                    "unescaped '%c' in format template (write \\%c for a literal brace)",
                    ps->s[t->raw + bad], ps->s[t->raw + bad]);
    size_t holes = call->tmpl->n - 1, values = call->argc - 1;
    if (holes != values)
        return ierr(ps, t->off,
                    "format template has %zu placeholder%s but %zu value%s follow%s",
                    holes, holes == 1 ? "" : "s", values, values == 1 ? "" : "s",
                    values == 1 ? "s" : "");
    return 0;
}

static long long range_count(long long from, long long to, long long step)
{
    if ((step > 0 && from > to) || (step < 0 && from < to))
        return 0;
    return (to - from) / step + 1;
}

static int chk_range(struct iparser *ps, struct inode *call)
{
    for (size_t i = 0; i < 3; i++)
        if (call->argv[i]->type != N_LIT)
            return 0;
    long long n = range_count(int_of(call->argv[0]->lit), int_of(call->argv[1]->lit),
                              int_of(call->argv[2]->lit));
    if (n <= MAX_RANGE)
        return 0;
    char why[96];
    snprintf(why, sizeof(why), "range of %lld items is longer than the limit of %d", n,
             MAX_RANGE);
    return arg_err(ps, call, 1, why);
}

static int chk_random(struct iparser *ps, struct inode *call)
{
    if (call->argv[0]->type != N_LIT || call->argv[1]->type != N_LIT)
        return 0;
    if (rounded(call->argv[1]->lit) > rounded(call->argv[0]->lit))
        return 0;
    return arg_err(ps, call, 1, "end must be greater than start");
}

/* ---- entry points -------------------------------------------------------------- */

int intr_is_call(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (strncmp(s, "States.", 7))
        return 0;
    size_t i = 7;
    if (!is_alpha((unsigned char)s[i]))
        return 0;
    while (is_word((unsigned char)s[i]))
        i++;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    return s[i] == '(';
}

struct intr_call *intr_compile(const char *expr, struct jpath_err *err)
{
    struct iparser ps = {expr, 0, err};
    size_t n = strlen(expr), ok = jpath_utf8_prefix(expr, n);
    if (ok < n) {
        ierr(&ps, ok, "invalid UTF-8");
        return NULL;
    }
    skip_ws(&ps);
    struct inode *root = parse_call(&ps, 1);
    if (!root)
        return NULL;
    skip_ws(&ps);
    if (cur(&ps)) {
        ierr(&ps, ps.pos, "unexpected text after the intrinsic call");
        node_free(root);
        return NULL;
    }
    struct intr_call *c = xmalloc(sizeof(*c));
    c->text = xstrdup(expr);
    c->root = root;
    return c;
}

void intr_free(struct intr_call *call)
{
    if (!call)
        return;
    node_free(call->root);
    free(call->text);
    free(call);
}

const char *intr_text(const struct intr_call *call)
{
    return call->text;
}

int intr_check(const char *expr, struct jpath_err *err)
{
    struct intr_call *c = intr_compile(expr, err);
    if (!c)
        return -1;
    intr_free(c);
    return 0;
}

/* ================================================================================
 * Evaluation
 * ================================================================================ */

void intr_rng_seed(struct intr_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

/* splitmix64: small, fast, and the same sequence on every machine. */
uint64_t intr_rng_next(struct intr_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), without modulo bias. */
static uint64_t rng_below(struct intr_rng *rng, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t r = intr_rng_next(rng);
        if (r < limit)
            return r % n;
    }
}

struct eval_env {
    json_t *input, *context, *vars;
    struct intr_rng *rng;
    struct intr_error *err;
};

struct icall {
    const struct inode *node;
    struct eval_env *env;
};

static int argerror(struct icall *c, size_t argno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every run-time failure goes through here: "bad argument #n to 'States.X' (why)". */
static int argerror(struct icall *c, size_t argno, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    struct intr_error *e = c->env->err;
    if (e) {
        e->name = INTR_ERROR_NAME;
        format_argerror(e->cause, sizeof(e->cause), c->node->def, argno, why);
    }
    return -1;
}

static int eval_call(struct eval_env *env, const struct inode *n, json_t **out);

static int eval_arg(struct icall *c, size_t i, json_t **out)
{
    const struct inode *a = c->node->argv[i];
    struct jpath_err jerr;
    switch (a->type) {
    case N_LIT:
        *out = json_incref(a->lit);
        return 0;
    case N_PATH:
        if (jpath_eval(a->path, c->env->input, c->env->context, c->env->vars, out,
                       &jerr) == 0)
            return 0;
        return argerror(c, i + 1, "invalid path '%s': %s", jpath_text(a->path), jerr.msg);
    case N_CALL:
        break;
    }
    return eval_call(c->env, a, out);
}

static int eval_call(struct eval_env *env, const struct inode *n, json_t **out)
{
    struct icall c = {n, env};
    json_t *small[8], **argv = n->argc <= 8 ? small : xmalloc(n->argc * sizeof(*argv));
    size_t got = 0;
    int rc = -1;
    char why[160];
    for (; got < n->argc; got++)
        if (eval_arg(&c, got, &argv[got]) < 0)
            goto out;
    for (size_t i = 0; i < n->argc; i++)
        if (check_kind(arg_kind(n->def, i), argv[i], why, sizeof(why)) < 0) {
            argerror(&c, i + 1, "%s", why);
            goto out;
        }
    rc = n->def->fn(&c, argv, n->argc, out);
out:
    for (size_t i = 0; i < got; i++)
        json_decref(argv[i]);
    if (argv != small)
        free(argv);
    return rc;
}

int intr_eval(const struct intr_call *call, json_t *input, json_t *context, json_t *vars,
              struct intr_rng *rng, json_t **out, struct intr_error *err)
{
    struct eval_env env = {input, context, vars, rng, err};
    return eval_call(&env, call->root, out);
}

/* ================================================================================
 * The functions. Arguments were checked against their kinds already; each returns
 * 0 with a new reference in *out or -1 after argerror().
 * ================================================================================ */

/* ---- States.Format -------------------------------------------------------------- */

/* Java's Double.toString: shortest round-trip digits; 1.0E7 and 1.0E-4 style outside
 * [1e-3, 1e7). */
static void render_double(struct strbuf *sb, double d)
{
    if (d == 0) {
        strbuf_adds(sb, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    char buf[48], digits[24];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    const char *s = buf;
    int nd = 0;
    if (*s == '-') {
        strbuf_addch(sb, '-');
        s++;
    }
    for (; *s && *s != 'e'; s++)
        if (is_digit(*s))
            digits[nd++] = *s;
    int exp = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++)
                strbuf_addch(sb, i < nd ? digits[i] : '0');
            strbuf_addch(sb, '.');
            if (exp + 1 < nd)
                strbuf_add(sb, digits + exp + 1, (size_t)(nd - exp - 1));
            else
                strbuf_addch(sb, '0');
        } else {
            strbuf_adds(sb, "0.");
            strbuf_addrep(sb, '0', (size_t)(-exp - 1));
            strbuf_add(sb, digits, (size_t)nd);
        }
        return;
    }
    strbuf_addch(sb, digits[0]);
    strbuf_addch(sb, '.');
    if (nd > 1)
        strbuf_add(sb, digits + 1, (size_t)(nd - 1));
    else
        strbuf_addch(sb, '0');
    strbuf_addf(sb, "E%d", exp);
}

/*
 * How Format prints a value: strings raw, numbers as JSON, and containers the way
 * Java's Map/List toString does ({Arg1=1, Arg2=[]}, [1, 2]) [rec].
 */
static void render_value(struct strbuf *sb, const json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_STRING:
        strbuf_add(sb, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        render_double(sb, json_real_value(v));
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
    case JSON_ARRAY:
        strbuf_addch(sb, '[');
        json_array_foreach(v, i, x)
        {
            if (i)
                strbuf_adds(sb, ", ");
            render_value(sb, x);
        }
        strbuf_addch(sb, ']');
        break;
    case JSON_OBJECT:
        strbuf_addch(sb, '{');
        i = 0;
        json_object_foreach((json_t *)v, k, x)
        {
            if (i++)
                strbuf_adds(sb, ", ");
            strbuf_adds(sb, k);
            strbuf_addch(sb, '=');
            render_value(sb, x);
        }
        strbuf_addch(sb, '}');
        break;
    }
}

static int fn_Format(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    struct tmpl *own = NULL;
    const struct tmpl *t = c->node->tmpl;
    if (!t)
        t = own =
            tmpl_build(json_string_value(argv[0]), json_string_length(argv[0]), 0, NULL);
    size_t holes = t->n - 1, values = argc - 1;
    if (holes != values) {
        tmpl_free(own);
        return argerror(c, 1,
                        "format template has %zu placeholder%s but %zu value%s follow%s",
                        holes, holes == 1 ? "" : "s", values, values == 1 ? "" : "s",
                        values == 1 ? "s" : "");
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < t->n; i++) {
        strbuf_add(&sb, t->v[i].s, t->v[i].len);
        if (i < holes)
            render_value(&sb, argv[i + 1]);
    }
    tmpl_free(own);
    *out = json_stringn(sb.buf, sb.len);
    strbuf_release(&sb);
    return 0;
}

/* ---- JSON text ------------------------------------------------------------------ */

/* "" and blank strings give null [rec]; anything else must be one JSON text. */
static int fn_StringToJson(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argc;
    const char *s = json_string_value(argv[0]);
    size_t n = json_string_length(argv[0]);
    while (n && (unsigned char)s[n - 1] <= 0x20)
        n--;
    while (n && (unsigned char)*s <= 0x20)
        s++, n--;
    if (!n) {
        *out = json_null();
        return 0;
    }
    json_error_t je;
    *out = json_loadb(s, n, JSON_DECODE_ANY, &je);
    if (!*out)
        return argerror(c, 1, "invalid JSON text: %s", je.text);
    return 0;
}

static int fn_JsonToString(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    char *s = jout_compact(argv[0]);
    *out = json_string(s);
    free(s);
    return 0;
}

/* Shallow merge; the second object wins on clashes and keeps the first one's slot. */
static int fn_JsonMerge(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    *out = json_copy(argv[0]);
    json_object_update(*out, argv[1]);
    return 0;
}

/* ---- arrays --------------------------------------------------------------------- */

static int fn_Array(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    *out = json_array();
    for (size_t i = 0; i < argc; i++)
        json_array_append(*out, argv[i]);
    return 0;
}

static int fn_ArrayPartition(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    size_t n = json_array_size(argv[0]);
    long long size = int_of(argv[1]);
    size_t chunk = size > (long long)n ? (n ? n : 1) : (size_t)size;
    *out = json_array();
    for (size_t i = 0; i < n; i += chunk) {
        json_t *part = json_array();
        for (size_t j = i; j < i + chunk && j < n; j++)
            json_array_append(part, json_array_get(argv[0], j));
        json_array_append_new(*out, part);
    }
    return 0;
}

static int fn_ArrayContains(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    size_t i;
    json_t *v;
    int found = 0;
    json_array_foreach(argv[0], i, v)
    {
        if (json_equal(v, argv[1]))
            found = 1;
    }
    *out = json_boolean(found);
    return 0;
}

/* Inclusive; a step that overshoots still yields [start] [rec]; at most 1000 items. */
static int fn_ArrayRange(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argc;
    long long from = int_of(argv[0]), to = int_of(argv[1]), step = int_of(argv[2]);
    long long n = range_count(from, to, step);
    if (n > MAX_RANGE)
        return argerror(c, 2, "range of %lld items is longer than the limit of %d", n,
                        MAX_RANGE);
    *out = json_array();
    for (long long i = 0; i < n; i++)
        json_array_append_new(*out, json_integer(from + i * step));
    return 0;
}

static int fn_ArrayGetItem(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argc;
    long long i = int_of(argv[1]);
    size_t n = json_array_size(argv[0]);
    if ((unsigned long long)i >= n)
        return argerror(c, 2, "index %lld is out of bounds for an array of %zu item%s", i,
                        n, n == 1 ? "" : "s");
    *out = json_incref(json_array_get(argv[0], (size_t)i));
    return 0;
}

static int fn_ArrayLength(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    *out = json_integer((json_int_t)json_array_size(argv[0]));
    return 0;
}

/* Keeps the first of each group of deeply equal items, in order. */
static int fn_ArrayUnique(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    size_t i, j;
    json_t *v, *w;
    *out = json_array();
    json_array_foreach(argv[0], i, v)
    {
        int dup = 0;
        json_array_foreach(*out, j, w)
        {
            if (json_equal(v, w))
                dup = 1;
        }
        if (!dup)
            json_array_append(*out, v);
    }
    return 0;
}

/* ---- encodings and hashes ------------------------------------------------------- */

static int fn_Base64Encode(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    size_t n = json_string_length(argv[0]);
    char *buf = xmalloc(4 * ((n + 2) / 3) + 1);
    int len = crypto_base64_encode(buf, json_string_value(argv[0]), n);
    if (len < 0) {
        free(buf);
        return argerror(c, 1, "base64 encoding is not available");
    }
    *out = json_stringn(buf, (size_t)len);
    free(buf);
    return 0;
}

/* Standard alphabet; like Java's decoder, the '=' padding may be left out. */
static int fn_Base64Decode(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argc;
    const char *s = json_string_value(argv[0]);
    size_t n = json_string_length(argv[0]), data = n, pad;
    while (data && s[data - 1] == '=' && n - data < 2)
        data--;
    for (size_t i = 0; i < data; i++)
        if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) &&
            s[i] != '+' && s[i] != '/')
            return argerror(c, 1, "invalid base64 character at position %zu", i);
    if (data % 4 == 1)
        return argerror(c, 1, "invalid base64 length");
    pad = (4 - data % 4) % 4;
    if (n != data && n != data + pad)
        return argerror(c, 1, "invalid base64 padding");
    char *in = xmalloc(data + pad + 1);
    memcpy(in, s, data);
    memset(in + data, '=', pad);
    unsigned char *buf = xmalloc((data + pad) / 4 * 3 + 1);
    int len = crypto_base64_decode(buf, in, data + pad);
    free(in);
    if (len < 0) {
        free(buf);
        return argerror(c, 1, "invalid base64 text");
    }
    *out = json_stringn((const char *)buf, (size_t)len - pad);
    free(buf);
    if (!*out)
        return argerror(c, 1, "decoded bytes are not valid UTF-8");
    return 0;
}

static int fn_Hash(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argc;
    char hex[CRYPTO_HEX_MAX];
    const char *alg = json_string_value(argv[1]);
    if (crypto_digest_hex(alg, json_string_length(argv[1]), json_string_value(argv[0]),
                          json_string_length(argv[0]), hex))
        return argerror(c, 2, "digest '%s' is not available", alg);
    *out = json_string(hex);
    return 0;
}

/* ---- math ----------------------------------------------------------------------- */

/* Each argument is rounded half-up first, then added: 1.49 + 1.5 = 3 [rec]. */
static int fn_MathAdd(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    *out = json_integer((json_int_t)rounded(argv[0]) + (json_int_t)rounded(argv[1]));
    return 0;
}

/*
 * start inclusive, end exclusive (AWS's documentation); non-integers are rounded like
 * MathAdd's. With a seed the value depends on the seed alone, so the same seed gives
 * the same number; without one it comes from the caller's generator.
 */
static int fn_MathRandom(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    double lo = rounded(argv[0]), hi = rounded(argv[1]);
    for (size_t i = 0; i < 2; i++)
        if (rounded(argv[i]) < INT32_MIN || rounded(argv[i]) > INT32_MAX)
            return argerror(c, i + 1, "%.17g is outside the 32-bit integer range",
                            json_number_value(argv[i]));
    if (hi <= lo)
        return argerror(c, 2, "end must be greater than start");
    struct intr_rng local, *rng = c->env->rng;
    if (argc == 3 || !rng) {
        double seed = argc == 3 ? rounded(argv[2]) : 0;
        intr_rng_seed(&local, fabs(seed) < 9.2e18 ? (uint64_t)(long long)seed : 0);
        rng = &local;
    }
    uint64_t span = (uint64_t)((long long)hi - (long long)lo);
    *out = json_integer((json_int_t)((long long)lo + (long long)rng_below(rng, span)));
    return 0;
}

/* ---- strings -------------------------------------------------------------------- */

/* Decodes the code point at s[i] (valid UTF-8) and returns the index after it. */
static size_t utf8_next(const char *s, size_t i, uint32_t *cp)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t v = n == 0 ? c : n == 1 ? (c & 0x1Fu) : n == 2 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k <= n; k++)
        v = (v << 6) | ((unsigned char)s[i + k] & 0x3Fu);
    *cp = v;
    return i + n + 1;
}

static int is_delim(const char *d, size_t dn, uint32_t cp)
{
    for (size_t i = 0; i < dn;) {
        uint32_t x;
        i = utf8_next(d, i, &x);
        if (x == cp)
            return 1;
    }
    return 0;
}

/* Every character of the delimiter string splits; empty pieces are dropped [rec]. */
static int fn_StringSplit(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)c;
    (void)argc;
    const char *s = json_string_value(argv[0]), *d = json_string_value(argv[1]);
    size_t n = json_string_length(argv[0]), dn = json_string_length(argv[1]);
    size_t start = 0;
    *out = json_array();
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t next = utf8_next(s, i, &cp);
        if (is_delim(d, dn, cp)) {
            if (i > start)
                json_array_append_new(*out, json_stringn(s + start, i - start));
            start = next;
        }
        i = next;
    }
    if (n > start)
        json_array_append_new(*out, json_stringn(s + start, n - start));
    return 0;
}

/* A version 4 UUID from the caller's generator (deterministic per seed). */
static int fn_UUID(struct icall *c, json_t **argv, size_t argc, json_t **out)
{
    (void)argv;
    (void)argc;
    struct intr_rng fallback = {0}, *rng = c->env->rng ? c->env->rng : &fallback;
    unsigned char b[16];
    for (size_t i = 0; i < 16; i += 8) {
        uint64_t r = intr_rng_next(rng);
        for (size_t k = 0; k < 8; k++)
            b[i + k] = (unsigned char)(r >> (8 * k));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    char s[37];
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s[o++] = '-';
        snprintf(s + o, 3, "%02x", b[i]);
        o += 2;
    }
    *out = json_stringn(s, 36);
    return 0;
}
