/*
 * JSONPath engine: a hand-written recursive-descent parser compiling a path into
 * segments (filters into small expression trees), an evaluator with Jayway's semantics
 * and error texts, and the copy-on-write writer behind ResultPath.
 */
#include "interp/jpath.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 256 /* no real path comes near; bounds recursion depth */
#define MAX_NESTING  32  /* '(' / '!' / filters inside filters */

/* ================================================================================
 * Compiled form
 * ================================================================================ */

enum seg_type {
    SEG_NAME,    /* .a ['a'] */
    SEG_NAMES,   /* ['a','b'] */
    SEG_INDEX,   /* [n] */
    SEG_INDEXES, /* [n,m] */
    SEG_SLICE,   /* [a:b:c] */
    SEG_WILD,    /* .* [*] */
    SEG_FILTER,  /* [?(...)] */
};

struct name {
    char *s;
    size_t len;
};

struct slice {
    long long start, end, step;
    unsigned char has_start, has_end, has_step;
};

struct fexpr;

struct seg {
    enum seg_type type;
    unsigned char scan;     /* preceded by '..' */
    unsigned char definite; /* this segment alone selects at most one node */
    unsigned char upstream; /* every earlier segment is definite */
    unsigned char leaf;     /* last token (a trailing length() counts as a token) */
    union {
        struct name name;
        struct {
            struct name *v;
            size_t n;
        } names;
        long long index;
        struct {
            long long *v;
            size_t n;
        } indexes;
        struct slice slice;
        struct fexpr *filter;
    } u;
};

enum fop { F_OR, F_AND, F_NOT, F_EXISTS, F_CMP };
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_RE };

struct operand {
    struct jpath *path; /* @... or $... */
    json_t *lit;        /* literal value */
    pcre2_code *re;     /* /regex/ (right side of =~ only) */
};

struct fexpr {
    enum fop op;
    enum cmp cmp;
    struct fexpr *l, *r; /* F_OR, F_AND; F_NOT uses l */
    struct operand a, b; /* F_EXISTS uses a; F_CMP both */
};

struct jpath {
    char *text;
    enum jpath_root root;
    char *var; /* JPATH_ROOT_VAR only */
    struct seg *segs;
    size_t nsegs, alloc;
    unsigned char fn_length;       /* ends in .length() */
    unsigned char prefix_definite; /* the segments alone are definite */
};

/* ================================================================================
 * Small helpers
 * ================================================================================ */

size_t jpath_utf8_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i], n, min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, min = 0x80, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            n = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, min = 0x10000, cp = c & 0x07;
        else
            return i;
        for (unsigned k = 1; k <= n; k++) {
            if (i + k >= len || (u[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return i;
}

static void put_utf8(struct strbuf *sb, unsigned long cp)
{
    if (cp < 0x80) {
        strbuf_addch(sb, (char)cp);
    } else if (cp < 0x800) {
        strbuf_addch(sb, (char)(0xC0 | (cp >> 6)));
        strbuf_addch(sb, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        strbuf_addch(sb, (char)(0xE0 | (cp >> 12)));
        strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_addch(sb, (char)(0x80 | (cp & 0x3F)));
    } else {
        strbuf_addch(sb, (char)(0xF0 | (cp >> 18)));
        strbuf_addch(sb, (char)(0x80 | ((cp >> 12) & 0x3F)));
        strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_addch(sb, (char)(0x80 | (cp & 0x3F)));
    }
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(int c)
{
    return is_ident_start(c) || is_digit(c);
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ================================================================================
 * Parser
 * ================================================================================ */

struct parser {
    const char *s;
    size_t pos;
    enum jpath_kind kind;
    struct jpath_err *err;
    unsigned depth; /* current filter nesting */
    int in_filter;  /* > 0 while inside [?( ... )] */
};

static int perr(struct parser *ps, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int jpath_verr(struct jpath_err *err, size_t off, const char *fmt, va_list ap)
{
    if (err) {
        err->offset = off;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    }
    return -1;
}

static int perr(struct parser *ps, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    jpath_verr(ps->err, off, fmt, ap);
    va_end(ap);
    return -1;
}

static int cur(const struct parser *ps)
{
    return (unsigned char)ps->s[ps->pos];
}

static int peek(const struct parser *ps, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!ps->s[ps->pos + i])
            return 0;
    return (unsigned char)ps->s[ps->pos + k];
}

static void skip_ws(struct parser *ps)
{
    while (is_space(cur(ps)))
        ps->pos++;
}

/* Describes the byte at the cursor for messages: "'x'", "byte 0x07" or "the end". */
static const char *describe(const struct parser *ps, char buf[16])
{
    int c = cur(ps);
    if (!c)
        return "the end of the path";
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else if (c == ' ')
        snprintf(buf, 16, "a space");
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
    return buf;
}

static int unexpected(struct parser *ps, const char *wanted)
{
    char b[16];
    return perr(ps, ps->pos, "expected %s but found %s", wanted, describe(ps, b));
}

static int expect(struct parser *ps, int c, const char *wanted)
{
    if (cur(ps) != c)
        return unexpected(ps, wanted);
    ps->pos++;
    return 0;
}

/* Rejects a construct at `off` when compiling a reference path. */
static int forbid(struct parser *ps, size_t off, const char *what)
{
    if (ps->kind != JPATH_REFERENCE)
        return 0;
    return perr(ps, off, "%s not allowed in a reference path", what);
}

/*
 * Bytes that may appear in a dot-notation name. Jayway stops only at ' ', '.', '['
 * and '('; we also stop at ')', ']' and ',' so a path can sit inside an intrinsic
 * call, and at the operator characters inside filters ("@.price<10").
 */
static int is_name_byte(const struct parser *ps, int c)
{
    if (c <= 0x20 || c == 0x7f || strchr(".[](),", c))
        return 0;
    return !(ps->in_filter && strchr("=!<>&|~", c));
}

static struct seg *add_seg(struct parser *ps, struct jpath *p, enum seg_type t, int scan,
                           size_t off)
{
    if (p->nsegs >= MAX_SEGMENTS) {
        perr(ps, off, "path has more than %d segments", MAX_SEGMENTS);
        return NULL;
    }
    VEC_GROW(p->segs, p->nsegs + 1, p->alloc);
    struct seg *sg = &p->segs[p->nsegs++];
    memset(sg, 0, sizeof(*sg));
    sg->type = t;
    sg->scan = (unsigned char)scan;
    return sg;
}

/* Reads \-escapes as Jayway's unescape does: \' \" \\ \/ \b \f \n \r \t \uXXXX. */
static int parse_escape(struct parser *ps, struct strbuf *sb)
{
    size_t at = ps->pos;
    int c = peek(ps, 1);
    static const char from[] = "'\"\\/bfnrt", to[] = "'\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(from, c) : NULL;
    if (hit) {
        strbuf_addch(sb, to[hit - from]);
        ps->pos += 2;
        return 0;
    }
    if (c != 'u')
        return c ? perr(ps, at, "invalid escape '\\%c'", c)
                 : perr(ps, at, "unterminated escape sequence");
    unsigned long cp = 0;
    for (int k = 0; k < 2; k++) {
        unsigned long v = 0;
        for (size_t i = 2; i < 6; i++) {
            int h = peek(ps, i);
            int d = is_digit(h)              ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (d < 0)
                return perr(ps, ps->pos, "invalid \\u escape");
            v = v * 16 + (unsigned long)d;
        }
        ps->pos += 6;
        if (k == 0 && v >= 0xD800 && v <= 0xDBFF) {
            cp = v;
            if (cur(ps) != '\\' || peek(ps, 1) != 'u')
                return perr(ps, at, "unpaired surrogate in \\u escape");
            continue;
        }
        if (k == 1) {
            if (v < 0xDC00 || v > 0xDFFF)
                return perr(ps, at, "unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (v - 0xDC00);
        } else if (v >= 0xDC00 && v <= 0xDFFF) {
            return perr(ps, at, "unpaired surrogate in \\u escape");
        } else {
            cp = v;
        }
        break;
    }
    put_utf8(sb, cp);
    return 0;
}

/* Reads a quoted string ('...' or "...") at the cursor into *out (allocated). */
static int parse_quoted(struct parser *ps, struct name *out)
{
    struct strbuf sb = STRBUF_INIT;
    size_t start = ps->pos;
    int q = cur(ps);
    ps->pos++;
    for (;;) {
        int c = cur(ps);
        if (!c) {
            strbuf_release(&sb);
            return perr(ps, start, "unterminated string");
        }
        if (c == q) {
            ps->pos++;
            break;
        }
        if (c == '\\') {
            if (parse_escape(ps, &sb) < 0) {
                strbuf_release(&sb);
                return -1;
            }
            continue;
        }
        strbuf_addch(&sb, (char)c);
        ps->pos++;
    }
    if (jpath_utf8_prefix(sb.buf, sb.len) != sb.len) {
        strbuf_release(&sb);
        return perr(ps, start, "invalid UTF-8 in string");
    }
    out->len = sb.len;
    out->s = strbuf_detach(&sb, NULL);
    return 0;
}

/* Reads an optionally negative integer in Java int range (Jayway's indexes are int). */
static int parse_int(struct parser *ps, long long *out)
{
    size_t start = ps->pos;
    int neg = cur(ps) == '-';
    if (neg)
        ps->pos++;
    if (!is_digit(cur(ps)))
        return unexpected(ps, "a digit");
    long long v = 0;
    while (is_digit(cur(ps))) {
        v = v * 10 + (cur(ps) - '0');
        if (v > (long long)INT32_MAX + 1)
            return perr(ps, start, "index out of range");
        ps->pos++;
    }
    if (neg)
        v = -v;
    if (v > INT32_MAX)
        return perr(ps, start, "index out of range");
    *out = v;
    return 0;
}

static struct jpath *parse_path(struct parser *ps);
static struct fexpr *parse_or(struct parser *ps);
static void fexpr_free(struct fexpr *f);

/* ---- filter expressions -------------------------------------------------------- */

static int enter(struct parser *ps)
{
    if (++ps->depth > MAX_NESTING)
        return perr(ps, ps->pos, "filter nested more than %d levels deep", MAX_NESTING);
    return 0;
}

static int parse_regex(struct parser *ps, struct operand *o)
{
    size_t start = ps->pos++;
    size_t body = ps->pos;
    while (cur(ps) && cur(ps) != '/') {
        if (cur(ps) == '\\' && peek(ps, 1))
            ps->pos++;
        ps->pos++;
    }
    if (!cur(ps))
        return perr(ps, start, "unterminated regular expression");
    size_t body_len = ps->pos - body;
    ps->pos++;
    uint32_t opts = PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    static const struct {
        char flag;
        uint32_t opt;
    } flags[] = {{'i', PCRE2_CASELESS},
                 {'m', PCRE2_MULTILINE},
                 {'s', PCRE2_DOTALL},
                 {'x', PCRE2_EXTENDED},
                 {'u', PCRE2_UCP}};
    while (is_ident_start(cur(ps))) {
        size_t k = 0;
        while (k < ARRAY_SIZE(flags) && flags[k].flag != cur(ps))
            k++;
        if (k == ARRAY_SIZE(flags))
            return perr(ps, ps->pos, "unknown regular expression flag '%c'", cur(ps));
        opts |= flags[k].opt;
        ps->pos++;
    }
    int code;
    PCRE2_SIZE at;
    o->re = pcre2_compile((PCRE2_SPTR)(ps->s + body), body_len, opts, &code, &at, NULL);
    if (!o->re) {
        PCRE2_UCHAR msg[96];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return perr(ps, body + at, "invalid regular expression: %s", (char *)msg);
    }
    return 0;
}

/* Returns 1 when s[0..n) is a JSON-style number ("-1", "2.5", "1e3"). */
static int is_number_text(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    size_t d = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == d)
        return 0;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == f)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == e)
            return 0;
    }
    return i == n;
}

/* Makes a JSON number from validated number text: an integer when it fits, else a real.
 */
static json_t *number_from_text(const char *s, size_t n)
{
    char buf[64];
    if (n >= sizeof(buf))
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!strpbrk(buf, ".eE")) {
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == 0)
            return json_integer(v);
    }
    double d = strtod(buf, NULL);
    if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
        return NULL;
    return json_real(d);
}

/*
 * A bare word in a filter ("@.Type == es") is a string, as in the AWS samples that
 * rely on it; true/false/null and numbers keep their JSON meaning.
 */
static int parse_bareword(struct parser *ps, struct operand *o)
{
    size_t start = ps->pos;
    while (cur(ps) > 0x20 && cur(ps) != 0x7f && !strchr("()[]=!<>&|~,'\"/", cur(ps)))
        ps->pos++;
    size_t n = ps->pos - start;
    const char *w = ps->s + start;
    if (n == 0)
        return unexpected(ps, "a value");
    if (n == 4 && !memcmp(w, "true", 4))
        o->lit = json_true();
    else if (n == 5 && !memcmp(w, "false", 5))
        o->lit = json_false();
    else if (n == 4 && !memcmp(w, "null", 4))
        o->lit = json_null();
    else if (is_number_text(w, n))
        o->lit = number_from_text(w, n);
    else
        o->lit = json_stringn(w, n);
    if (!o->lit)
        return perr(ps, start, "invalid value '%.*s'", (int)(n > 40 ? 40 : n), w);
    return 0;
}

static int parse_operand(struct parser *ps, struct operand *o)
{
    int c = cur(ps);
    if (c == '$' || c == '@') {
        o->path = parse_path(ps);
        return o->path ? 0 : -1;
    }
    if (c == '\'' || c == '"') {
        struct name nm;
        if (parse_quoted(ps, &nm) < 0)
            return -1;
        o->lit = json_stringn(nm.s, nm.len);
        free(nm.s);
        return 0;
    }
    if (c == '/')
        return parse_regex(ps, o);
    return parse_bareword(ps, o);
}

/* Reads a comparison operator; returns -1 when there is none. */
static int parse_cmp_op(struct parser *ps, enum cmp *op)
{
    static const struct {
        const char *text;
        enum cmp op;
    } ops[] = {{"==", C_EQ}, {"!=", C_NE}, {"<=", C_LE}, {">=", C_GE},
               {"=~", C_RE}, {"<", C_LT},  {">", C_GT}};
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        size_t n = strlen(ops[i].text);
        if (!strncmp(ps->s + ps->pos, ops[i].text, n)) {
            ps->pos += n;
            *op = ops[i].op;
            return 0;
        }
    }
    return -1;
}

static struct fexpr *fexpr_new(enum fop op)
{
    struct fexpr *f = xcalloc(1, sizeof(*f));
    f->op = op;
    return f;
}

static struct fexpr *parse_comparison(struct parser *ps)
{
    struct fexpr *f = fexpr_new(F_CMP);
    size_t a_off = ps->pos;
    if (parse_operand(ps, &f->a) < 0)
        goto fail;
    if (f->a.re) {
        perr(ps, a_off, "a regular expression must follow '=~'");
        goto fail;
    }
    skip_ws(ps);
    size_t op_off = ps->pos;
    if (parse_cmp_op(ps, &f->cmp) < 0) {
        if (cur(ps) == '=') {
            perr(ps, op_off, "use '==' to compare");
            goto fail;
        }
        if (!f->a.path) {
            perr(ps, a_off, "a literal alone is not a condition");
            goto fail;
        }
        f->op = F_EXISTS;
        return f;
    }
    skip_ws(ps);
    size_t b_off = ps->pos;
    if (f->cmp == C_RE && cur(ps) != '/') {
        unexpected(ps, "a /regular expression/ after '=~'");
        goto fail;
    }
    if (parse_operand(ps, &f->b) < 0)
        goto fail;
    if (f->b.re && f->cmp != C_RE) {
        perr(ps, b_off, "a regular expression needs the '=~' operator");
        goto fail;
    }
    return f;
fail:
    fexpr_free(f);
    return NULL;
}

static struct fexpr *parse_unary(struct parser *ps)
{
    skip_ws(ps);
    if (cur(ps) == '!' && peek(ps, 1) != '=') {
        ps->pos++;
        if (enter(ps) < 0)
            return NULL;
        struct fexpr *inner = parse_unary(ps);
        ps->depth--;
        if (!inner)
            return NULL;
        struct fexpr *f = fexpr_new(F_NOT);
        f->l = inner;
        return f;
    }
    if (cur(ps) == '(') {
        ps->pos++;
        if (enter(ps) < 0)
            return NULL;
        struct fexpr *f = parse_or(ps);
        ps->depth--;
        if (!f)
            return NULL;
        skip_ws(ps);
        if (expect(ps, ')', "')'") < 0) {
            fexpr_free(f);
            return NULL;
        }
        return f;
    }
    return parse_comparison(ps);
}

static struct fexpr *parse_binary(struct parser *ps, int level)
{
    static const struct {
        const char *text;
        enum fop op;
    } lv[] = {{"||", F_OR}, {"&&", F_AND}};
    struct fexpr *l = level == 2 ? parse_unary(ps) : parse_binary(ps, level + 1);
    if (level == 2)
        return l;
    while (l) {
        skip_ws(ps);
        if (strncmp(ps->s + ps->pos, lv[level].text, 2))
            break;
        ps->pos += 2;
        struct fexpr *r = parse_binary(ps, level + 1);
        if (!r) {
            fexpr_free(l);
            return NULL;
        }
        struct fexpr *f = fexpr_new(lv[level].op);
        f->l = l;
        f->r = r;
        l = f;
    }
    return l;
}

static struct fexpr *parse_or(struct parser *ps)
{
    return parse_binary(ps, 0);
}

/* ---- segments ------------------------------------------------------------------ */

/* [?( expr )] with the cursor on '?'. */
static int parse_filter(struct parser *ps, struct jpath *p, int scan, size_t open)
{
    if (forbid(ps, ps->pos, "filters are") < 0)
        return -1;
    ps->pos++;
    skip_ws(ps);
    if (expect(ps, '(', "'(' after '?'") < 0 || enter(ps) < 0)
        return -1;
    ps->in_filter++;
    struct fexpr *f = parse_or(ps);
    ps->in_filter--;
    ps->depth--;
    if (!f)
        return -1;
    skip_ws(ps);
    if (cur(ps) == '|' || cur(ps) == '&') {
        fexpr_free(f);
        return perr(ps, ps->pos, "use '%c%c' to combine conditions", cur(ps), cur(ps));
    }
    if (expect(ps, ')', "')' or an operator") < 0) {
        fexpr_free(f);
        return -1;
    }
    skip_ws(ps);
    struct seg *sg;
    if (expect(ps, ']', "']'") < 0 || !(sg = add_seg(ps, p, SEG_FILTER, scan, open))) {
        fexpr_free(f);
        return -1;
    }
    sg->u.filter = f;
    return 0;
}

static int parse_names(struct parser *ps, struct jpath *p, int scan, size_t open)
{
    struct name *v = NULL;
    size_t n = 0, alloc = 0;
    for (;;) {
        VEC_GROW(v, n + 1, alloc);
        if (cur(ps) != '\'' && cur(ps) != '"') {
            unexpected(ps, "a quoted name");
            goto fail;
        }
        if (parse_quoted(ps, &v[n]) < 0)
            goto fail;
        n++;
        skip_ws(ps);
        if (cur(ps) == ']')
            break;
        if (cur(ps) != ',') {
            unexpected(ps, "',' or ']'");
            goto fail;
        }
        if (forbid(ps, ps->pos, "unions are") < 0)
            goto fail;
        ps->pos++;
        skip_ws(ps);
    }
    ps->pos++;
    struct seg *sg = add_seg(ps, p, n == 1 ? SEG_NAME : SEG_NAMES, scan, open);
    if (!sg)
        goto fail;
    if (n == 1) {
        sg->u.name = v[0];
        free(v);
    } else {
        sg->u.names.v = v;
        sg->u.names.n = n;
    }
    return 0;
fail:
    for (size_t i = 0; i < n; i++)
        free(v[i].s);
    free(v);
    return -1;
}

/* The part of a slice after its first ':' (cursor on that ':'). */
static int parse_slice(struct parser *ps, struct slice *sl)
{
    if (forbid(ps, ps->pos, "slices are") < 0)
        return -1;
    ps->pos++;
    skip_ws(ps);
    if (cur(ps) == '-' || is_digit(cur(ps))) {
        if (parse_int(ps, &sl->end) < 0)
            return -1;
        sl->has_end = 1;
        skip_ws(ps);
    }
    if (cur(ps) == ':') {
        ps->pos++;
        skip_ws(ps);
        if (cur(ps) == '-' || is_digit(cur(ps))) {
            size_t at = ps->pos;
            if (parse_int(ps, &sl->step) < 0)
                return -1;
            if (sl->step == 0)
                return perr(ps, at, "slice step must not be 0");
            sl->has_step = 1;
            skip_ws(ps);
        }
    }
    return expect(ps, ']', "']'");
}

/* [n], [n,m,...] or a slice [a:b:c], cursor on the first digit, '-' or ':'. */
static int parse_indexes(struct parser *ps, struct jpath *p, int scan, size_t open)
{
    struct slice sl = {0, 0, 1, 0, 0, 0};
    long long *v = NULL;
    size_t n = 0, alloc = 0;
    struct seg *sg;
    if (cur(ps) != ':') {
        if (parse_int(ps, &sl.start) < 0)
            return -1;
        sl.has_start = 1;
        skip_ws(ps);
    }
    if (cur(ps) == ':') {
        if (parse_slice(ps, &sl) < 0 || !(sg = add_seg(ps, p, SEG_SLICE, scan, open)))
            return -1;
        sg->u.slice = sl;
        return 0;
    }
    VEC_GROW(v, 1, alloc);
    v[n++] = sl.start;
    while (cur(ps) == ',') {
        if (forbid(ps, ps->pos, "unions are") < 0)
            goto fail;
        ps->pos++;
        skip_ws(ps);
        VEC_GROW(v, n + 1, alloc);
        if (parse_int(ps, &v[n]) < 0)
            goto fail;
        n++;
        skip_ws(ps);
    }
    if (expect(ps, ']', n == 1 ? "']', ',' or ':'" : "']' or ','") < 0 ||
        !(sg = add_seg(ps, p, n == 1 ? SEG_INDEX : SEG_INDEXES, scan, open)))
        goto fail;
    if (n == 1) {
        sg->u.index = v[0];
        free(v);
    } else {
        sg->u.indexes.v = v;
        sg->u.indexes.n = n;
    }
    return 0;
fail:
    free(v);
    return -1;
}

static int parse_bracket(struct parser *ps, struct jpath *p, int scan)
{
    size_t open = ps->pos++;
    skip_ws(ps);
    int c = cur(ps);
    if (c == '?')
        return parse_filter(ps, p, scan, open);
    if (c == '*') {
        if (forbid(ps, ps->pos, "'*' is") < 0)
            return -1;
        ps->pos++;
        skip_ws(ps);
        if (expect(ps, ']', "']'") < 0)
            return -1;
        return add_seg(ps, p, SEG_WILD, scan, open) ? 0 : -1;
    }
    if (c == '\'' || c == '"')
        return parse_names(ps, p, scan, open);
    if (c == '-' || c == ':' || is_digit(c))
        return parse_indexes(ps, p, scan, open);
    return unexpected(ps, "a quoted name, an index, '*', a slice or a filter after '['");
}

/* A dot-notation name (or the length() function) at the cursor. */
static int parse_dot_name(struct parser *ps, struct jpath *p, int scan, size_t off)
{
    size_t start = ps->pos;
    while (is_name_byte(ps, cur(ps)))
        ps->pos++;
    size_t n = ps->pos - start;
    if (cur(ps) == '(') {
        if (scan)
            return perr(ps, start, "a function cannot follow '..'");
        if (n != 6 || memcmp(ps->s + start, "length", 6) || peek(ps, 1) != ')')
            return perr(ps, start, "unsupported function '%.*s()' (only length() is)",
                        (int)(n > 40 ? 40 : n), ps->s + start);
        if (forbid(ps, start, "functions are") < 0)
            return -1;
        ps->pos += 2;
        p->fn_length = 1;
        return 0;
    }
    struct seg *sg = add_seg(ps, p, SEG_NAME, scan, off);
    if (!sg)
        return -1;
    sg->u.name.s = xstrndup(ps->s + start, n);
    sg->u.name.len = n;
    return 0;
}

static int parse_dot(struct parser *ps, struct jpath *p)
{
    size_t off = ps->pos;
    int scan = peek(ps, 1) == '.';
    if (scan && forbid(ps, off, "'..' is") < 0)
        return -1;
    ps->pos += scan ? 2 : 1;
    int c = cur(ps);
    if (c == '*') {
        if (forbid(ps, ps->pos, "'*' is") < 0)
            return -1;
        ps->pos++;
        return add_seg(ps, p, SEG_WILD, scan, off) ? 0 : -1;
    }
    if (c == '[')
        return parse_bracket(ps, p, scan);
    if (is_name_byte(ps, c))
        return parse_dot_name(ps, p, scan, off);
    if (!c)
        return perr(ps, off, "a path must not end with '%s'", scan ? ".." : ".");
    return unexpected(ps, scan ? "a name, '*' or '[' after '..'" : "a name after '.'");
}

static int parse_root(struct parser *ps, struct jpath *p)
{
    int c = cur(ps);
    if (c == '@') {
        if (!ps->in_filter)
            return perr(ps, ps->pos, "'@' is only allowed inside a filter");
        p->root = JPATH_ROOT_CURRENT;
        ps->pos++;
        return 0;
    }
    if (c != '$')
        return perr(ps, ps->pos, "a path must start with '$'");
    ps->pos++;
    if (cur(ps) == '$') {
        p->root = JPATH_ROOT_CONTEXT;
        ps->pos++;
    } else if (is_ident_start(cur(ps))) {
        size_t start = ps->pos;
        while (is_ident(cur(ps)))
            ps->pos++;
        p->root = JPATH_ROOT_VAR;
        p->var = xstrndup(ps->s + start, ps->pos - start);
    } else {
        p->root = JPATH_ROOT_INPUT;
    }
    return 0;
}

/* Marks definiteness; Jayway decides "definite" per token and "upstream" per prefix. */
static void finalize(struct jpath *p)
{
    int up = 1;
    for (size_t i = 0; i < p->nsegs; i++) {
        struct seg *sg = &p->segs[i];
        sg->leaf = i + 1 == p->nsegs && !p->fn_length;
        sg->upstream = (unsigned char)up;
        sg->definite = !sg->scan && (sg->type == SEG_NAME || sg->type == SEG_INDEX ||
                                     (sg->type == SEG_NAMES && sg->leaf));
        up = up && sg->definite;
    }
    p->prefix_definite = (unsigned char)up;
}

static struct jpath *parse_path(struct parser *ps)
{
    size_t start = ps->pos;
    struct jpath *p = xcalloc(1, sizeof(*p));
    if (parse_root(ps, p) < 0)
        goto fail;
    for (;;) {
        int c = cur(ps);
        if (c != '.' && c != '[')
            break;
        if (p->fn_length) {
            perr(ps, ps->pos, "length() must end the path");
            goto fail;
        }
        if ((c == '.' ? parse_dot(ps, p) : parse_bracket(ps, p, 0)) < 0)
            goto fail;
    }
    finalize(p);
    p->text = xstrndup(ps->s + start, ps->pos - start);
    return p;
fail:
    jpath_free(p);
    return NULL;
}

static struct jpath *compile(const char *expr, enum jpath_kind kind, size_t *end,
                             struct jpath_err *err)
{
    struct parser ps = {expr, 0, kind, err, 0, 0};
    if (!end) {
        size_t n = strlen(expr), ok = jpath_utf8_prefix(expr, n);
        if (ok < n) {
            perr(&ps, ok, "invalid UTF-8");
            return NULL;
        }
        skip_ws(&ps); /* Jayway trims; real definitions carry stray spaces */
    }
    struct jpath *p = parse_path(&ps);
    if (!p)
        return NULL;
    if (end) {
        *end = ps.pos;
        return p;
    }
    size_t tail = ps.pos;
    skip_ws(&ps);
    if (cur(&ps) && ps.pos > tail)
        ps.pos = tail;
    if (cur(&ps)) {
        char b[16];
        if (is_space(cur(&ps)))
            perr(&ps, ps.pos,
                 "unexpected whitespace (write ['a b'] for names with spaces)");
        else
            perr(&ps, ps.pos, "unexpected %s in path", describe(&ps, b));
        jpath_free(p);
        return NULL;
    }
    return p;
}

struct jpath *jpath_compile(const char *expr, enum jpath_kind kind, struct jpath_err *err)
{
    return compile(expr, kind, NULL, err);
}

struct jpath *jpath_compile_prefix(const char *expr, enum jpath_kind kind, size_t *end,
                                   struct jpath_err *err)
{
    size_t dummy;
    return compile(expr, kind, end ? end : &dummy, err);
}

int jpath_check(const char *expr, enum jpath_kind kind, struct jpath_err *err)
{
    struct jpath *p = jpath_compile(expr, kind, err);
    if (!p)
        return -1;
    jpath_free(p);
    return 0;
}

/* ---- freeing and accessors ----------------------------------------------------- */

static void operand_release(struct operand *o)
{
    jpath_free(o->path);
    json_decref(o->lit);
    if (o->re)
        pcre2_code_free(o->re);
}

static void fexpr_free(struct fexpr *f)
{
    if (!f)
        return;
    fexpr_free(f->l);
    fexpr_free(f->r);
    operand_release(&f->a);
    operand_release(&f->b);
    free(f);
}

static void seg_release(struct seg *sg)
{
    switch (sg->type) {
    case SEG_NAME:
        free(sg->u.name.s);
        break;
    case SEG_NAMES:
        for (size_t i = 0; i < sg->u.names.n; i++)
            free(sg->u.names.v[i].s);
        free(sg->u.names.v);
        break;
    case SEG_INDEXES:
        free(sg->u.indexes.v);
        break;
    case SEG_FILTER:
        fexpr_free(sg->u.filter);
        break;
    case SEG_INDEX:
    case SEG_SLICE:
    case SEG_WILD:
        break;
    }
}

void jpath_free(struct jpath *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nsegs; i++)
        seg_release(&p->segs[i]);
    free(p->segs);
    free(p->var);
    free(p->text);
    free(p);
}

const char *jpath_text(const struct jpath *p)
{
    return p->text;
}

enum jpath_root jpath_root(const struct jpath *p)
{
    return p->root;
}

const char *jpath_var(const struct jpath *p)
{
    return p->var;
}

int jpath_is_definite(const struct jpath *p)
{
    return p->prefix_definite || p->fn_length;
}

int jpath_is_root(const struct jpath *p)
{
    return p->root == JPATH_ROOT_INPUT && p->nsegs == 0 && !p->fn_length;
}

/* ================================================================================
 * Rendering, for Jayway-style messages ("$['a'][0]")
 * ================================================================================ */

static void render_name(struct strbuf *sb, const struct name *n)
{
    strbuf_addch(sb, '\'');
    strbuf_add(sb, n->s, n->len);
    strbuf_addch(sb, '\'');
}

static void render_seg(struct strbuf *sb, const struct seg *sg)
{
    if (sg->scan)
        strbuf_adds(sb, "..");
    strbuf_addch(sb, '[');
    switch (sg->type) {
    case SEG_NAME:
        render_name(sb, &sg->u.name);
        break;
    case SEG_NAMES:
        for (size_t i = 0; i < sg->u.names.n; i++) {
            if (i)
                strbuf_addch(sb, ',');
            render_name(sb, &sg->u.names.v[i]);
        }
        break;
    case SEG_INDEX:
        strbuf_addf(sb, "%lld", sg->u.index);
        break;
    case SEG_INDEXES:
        for (size_t i = 0; i < sg->u.indexes.n; i++)
            strbuf_addf(sb, "%s%lld", i ? "," : "", sg->u.indexes.v[i]);
        break;
    case SEG_SLICE:
        if (sg->u.slice.has_start)
            strbuf_addf(sb, "%lld", sg->u.slice.start);
        strbuf_addch(sb, ':');
        if (sg->u.slice.has_end)
            strbuf_addf(sb, "%lld", sg->u.slice.end);
        if (sg->u.slice.has_step)
            strbuf_addf(sb, ":%lld", sg->u.slice.step);
        break;
    case SEG_WILD:
        strbuf_addch(sb, '*');
        break;
    case SEG_FILTER:
        strbuf_addch(sb, '?');
        break;
    }
    strbuf_addch(sb, ']');
}

/* Renders the root and the first n segments (all of them plus length() if n is -1). */
static void render_path(struct strbuf *sb, const struct jpath *p, size_t n, int with_fn)
{
    strbuf_adds(sb, p->root == JPATH_ROOT_CURRENT ? "@" : "$");
    if (p->root == JPATH_ROOT_VAR)
        strbuf_adds(sb, p->var);
    for (size_t i = 0; i < n && i < p->nsegs; i++)
        render_seg(sb, &p->segs[i]);
    if (with_fn && p->fn_length)
        strbuf_adds(sb, ".length()");
}

/* The Java class Jayway would name for a value (its default provider is json-smart). */
static const char *java_class(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "net.minidev.json.JSONObject";
    case JSON_ARRAY:
        return "net.minidev.json.JSONArray";
    case JSON_STRING:
        return "java.lang.String";
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        return i >= INT32_MIN && i <= INT32_MAX ? "java.lang.Integer" : "java.lang.Long";
    }
    case JSON_REAL:
        return "java.lang.Double";
    case JSON_TRUE:
    case JSON_FALSE:
        return "java.lang.Boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* ================================================================================
 * Evaluation
 * ================================================================================ */

struct ev {
    const struct jpath *p;
    json_t *doc, *current, *context, *vars; /* bindings of $, @, $$, $name */
    json_t *acc;                            /* matches of an indefinite path */
    json_t *single;                         /* match of a definite path (new ref) */
    struct jpath_err *err;
    int broke; /* a definite prefix failed the Jayway way: no result at all */
};

static int eval_in(const struct jpath *p, json_t *doc, json_t *current, json_t *context,
                   json_t *vars, json_t **out, struct jpath_err *err);

static void emit(struct ev *e, json_t *node)
{
    if (e->acc)
        json_array_append(e->acc, node);
    else if (!e->single)
        e->single = json_incref(node);
}

static void brk(struct ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void brk(struct ev *e, const char *fmt, ...)
{
    e->broke = 1;
    if (!e->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    e->err->offset = 0;
    vsnprintf(e->err->msg, sizeof(e->err->msg), fmt, ap);
    va_end(ap);
}

/* Jayway's complaint when a definite property step meets a non-object. */
static void brk_not_object(struct ev *e, size_t i, json_t *node)
{
    struct strbuf at = STRBUF_INIT, frag = STRBUF_INIT;
    render_path(&at, e->p, i, 0);
    render_seg(&frag, &e->p->segs[i]);
    brk(e, "Expected to find an object with property %s in path %s but found '%s'",
        frag.buf, at.buf, java_class(node));
    strbuf_release(&at);
    strbuf_release(&frag);
}

/* Jayway's complaint when a definite array step (index, slice) meets a non-array. */
static void brk_not_array(struct ev *e, size_t i, json_t *node)
{
    struct strbuf sb = STRBUF_INIT;
    if (json_is_null(node)) {
        render_path(&sb, e->p, i, 0);
        brk(e, "The path %s is null", sb.buf);
    } else {
        render_seg(&sb, &e->p->segs[i]);
        char *ctx = jout_compact(node);
        brk(e, "Filter: %s can only be applied to arrays. Current context is: %s", sb.buf,
            ctx);
        free(ctx);
    }
    strbuf_release(&sb);
}

static void walk(struct ev *e, size_t i, json_t *node);
static int ftest(struct ev *e, const struct fexpr *f, json_t *item);

static void apply_name(struct ev *e, size_t i, json_t *node, int scanning)
{
    const struct seg *sg = &e->p->segs[i];
    if (!json_is_object(node)) {
        if (sg->upstream && !scanning)
            brk_not_object(e, i, node);
        return;
    }
    json_t *v = json_object_getn(node, sg->u.name.s, sg->u.name.len);
    if (v) {
        walk(e, i + 1, v);
    } else if (!sg->leaf && sg->upstream && !scanning) {
        struct strbuf sb = STRBUF_INIT;
        render_path(&sb, e->p, i + 1, 0);
        brk(e, "Missing property in path %s", sb.buf);
        strbuf_release(&sb);
    }
}

/*
 * ['a','b']: as the last token Jayway merges the present properties into one object
 * (in a deep scan only objects holding all of them qualify); elsewhere it iterates.
 */
static void apply_names(struct ev *e, size_t i, json_t *node, int scanning)
{
    const struct seg *sg = &e->p->segs[i];
    if (!json_is_object(node)) {
        if (sg->upstream && !scanning)
            brk_not_object(e, i, node);
        return;
    }
    if (!sg->leaf) {
        for (size_t k = 0; k < sg->u.names.n; k++) {
            const struct name *n = &sg->u.names.v[k];
            json_t *v = json_object_getn(node, n->s, n->len);
            if (v)
                walk(e, i + 1, v);
        }
        return;
    }
    json_t *merged = json_object();
    for (size_t k = 0; k < sg->u.names.n; k++) {
        const struct name *n = &sg->u.names.v[k];
        json_t *v = json_object_getn(node, n->s, n->len);
        if (v)
            json_object_setn(merged, n->s, n->len, v);
        else if (scanning)
            goto out;
    }
    walk(e, i + 1, merged);
out:
    json_decref(merged);
}

static void visit_index(struct ev *e, size_t i, json_t *arr, long long idx)
{
    long long n = (long long)json_array_size(arr);
    if (idx < 0)
        idx += n;
    if (idx >= 0 && idx < n)
        walk(e, i + 1, json_array_get(arr, (size_t)idx));
}

/* Slices without a step follow Jayway's three cases exactly; with one, RFC 9535. */
static void apply_slice(struct ev *e, size_t i, json_t *arr)
{
    const struct slice *s = &e->p->segs[i].u.slice;
    long long len = (long long)json_array_size(arr);
    if (len == 0)
        return;
    if (s->has_step) {
        long long st = s->step, lo, hi;
        long long a = s->has_start ? (s->start < 0 ? len + s->start : s->start)
                                   : (st > 0 ? 0 : len - 1);
        long long b =
            s->has_end ? (s->end < 0 ? len + s->end : s->end) : (st > 0 ? len : -1);
        if (st > 0) {
            lo = a < 0 ? 0 : a > len ? len : a;
            hi = b < 0 ? 0 : b > len ? len : b;
            for (long long k = lo; k < hi; k += st)
                visit_index(e, i, arr, k);
        } else {
            hi = a < -1 ? -1 : a > len - 1 ? len - 1 : a;
            lo = s->has_end ? (b < -1 ? -1 : b > len - 1 ? len - 1 : b) : -1;
            for (long long k = hi; k > lo; k += st)
                visit_index(e, i, arr, k);
        }
        return;
    }
    if (s->has_start && s->has_end) {
        /* Jayway visits start..end-1 as written; indexes below -len select nothing. */
        long long to = s->end < len ? s->end : len;
        for (long long k = s->start < -len ? -len : s->start; k < to; k++)
            visit_index(e, i, arr, k);
    } else if (s->has_start) {
        long long from =
            s->start < 0 ? (len + s->start < 0 ? 0 : len + s->start) : s->start;
        for (long long k = from; k < len; k++)
            visit_index(e, i, arr, k);
    } else {
        long long to = s->has_end ? (s->end < 0 ? len + s->end : s->end) : len;
        for (long long k = 0; k < to && k < len; k++)
            visit_index(e, i, arr, k);
    }
}

static void apply_array_op(struct ev *e, size_t i, json_t *node, int scanning)
{
    const struct seg *sg = &e->p->segs[i];
    if (!json_is_array(node)) {
        if (sg->upstream && !scanning)
            brk_not_array(e, i, node);
        return;
    }
    if (sg->type == SEG_INDEX)
        visit_index(e, i, node, sg->u.index);
    else if (sg->type == SEG_INDEXES)
        for (size_t k = 0; k < sg->u.indexes.n && !e->broke; k++)
            visit_index(e, i, node, sg->u.indexes.v[k]);
    else
        apply_slice(e, i, node);
}

static void apply_wild(struct ev *e, size_t i, json_t *node)
{
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v) walk(e, i + 1, v);
    } else if (json_is_array(node)) {
        size_t k;
        json_t *v;
        json_array_foreach(node, k, v) walk(e, i + 1, v);
    }
}

/* Jayway filters an array's elements, but tests an object as a whole. */
static void apply_filter(struct ev *e, size_t i, json_t *node, int scanning)
{
    const struct seg *sg = &e->p->segs[i];
    if (json_is_object(node)) {
        if (ftest(e, sg->u.filter, node))
            walk(e, i + 1, node);
    } else if (json_is_array(node)) {
        if (scanning)
            return;
        size_t k;
        json_t *v;
        json_array_foreach(node, k, v)
        {
            if (e->broke)
                return;
            if (ftest(e, sg->u.filter, v))
                walk(e, i + 1, v);
        }
    } else if (sg->upstream && !scanning) {
        char *ctx = jout_compact(node);
        brk(e, "Filter: [?] can not be applied to primitives. Current context is: %s",
            ctx);
        free(ctx);
    }
}

static void apply(struct ev *e, size_t i, json_t *node, int scanning)
{
    switch (e->p->segs[i].type) {
    case SEG_NAME:
        apply_name(e, i, node, scanning);
        break;
    case SEG_NAMES:
        apply_names(e, i, node, scanning);
        break;
    case SEG_INDEX:
    case SEG_INDEXES:
    case SEG_SLICE:
        apply_array_op(e, i, node, scanning);
        break;
    case SEG_WILD:
        apply_wild(e, i, node);
        break;
    case SEG_FILTER:
        apply_filter(e, i, node, scanning);
        break;
    }
}

/* '..': applies segment i to node and then to every container below it, pre-order. */
static void scan(struct ev *e, size_t i, json_t *node)
{
    if (!json_is_object(node) && !json_is_array(node))
        return;
    apply(e, i, node, 1);
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v) scan(e, i, v);
    } else {
        size_t k;
        json_t *v;
        json_array_foreach(node, k, v) scan(e, i, v);
    }
}

static void walk(struct ev *e, size_t i, json_t *node)
{
    if (e->broke)
        return;
    if (i == e->p->nsegs)
        emit(e, node);
    else if (e->p->segs[i].scan)
        scan(e, i, node);
    else
        apply(e, i, node, 0);
}

/* ---- filter tests ------------------------------------------------------------- */

/* Returns a new reference, or NULL when the operand is undefined. */
static json_t *operand_get(struct ev *e, const struct operand *o, json_t *item)
{
    json_t *v = NULL;
    if (o->lit)
        return json_incref(o->lit);
    if (o->path && eval_in(o->path, e->doc, item, e->context, e->vars, &v, NULL) == 0)
        return v;
    return NULL;
}

static int num_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    double x = json_number_value(a), y = json_number_value(b);
    return (x > y) - (x < y);
}

static int str_cmp(const json_t *a, const json_t *b)
{
    size_t la = json_string_length(a), lb = json_string_length(b);
    int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    return c ? (c > 0) - (c < 0) : (la > lb) - (la < lb);
}

/* Jayway compares a number with a numeric string by value ("1" == 1). */
static int num_str_equal(const json_t *num, const json_t *str)
{
    const char *s = json_string_value(str);
    size_t n = json_string_length(str);
    if (!is_number_text(s, n))
        return 0;
    json_t *v = number_from_text(s, n);
    int eq = v && num_cmp(num, v) == 0;
    json_decref(v);
    return eq;
}

static int values_equal(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    if (json_is_number(a) && json_is_number(b))
        return num_cmp(a, b) == 0;
    if (json_is_number(a) && json_is_string(b))
        return num_str_equal(a, b);
    if (json_is_string(a) && json_is_number(b))
        return num_str_equal(b, a);
    return json_equal(a, b);
}

/* Java's Matcher.matches(): the whole string (or number text) must match. */
static int regex_match(const pcre2_code *re, const json_t *v)
{
    char buf[64];
    const char *s;
    size_t n;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        n = (size_t)snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
                             json_integer_value(v));
        s = buf;
    } else if (json_is_real(v)) {
        n = (size_t)snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
        s = buf;
    } else {
        return 0;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static int compare(enum cmp op, const json_t *a, const json_t *b)
{
    if (op == C_EQ)
        return values_equal(a, b);
    if (op == C_NE)
        return !values_equal(a, b);
    if (!a || !b)
        return 0;
    int c;
    if (json_is_number(a) && json_is_number(b))
        c = num_cmp(a, b);
    else if (json_is_string(a) && json_is_string(b))
        c = str_cmp(a, b);
    else
        return 0;
    switch (op) {
    case C_LT:
        return c < 0;
    case C_LE:
        return c <= 0;
    case C_GT:
        return c > 0;
    case C_GE:
        return c >= 0;
    default:
        return 0;
    }
}

static int ftest(struct ev *e, const struct fexpr *f, json_t *item)
{
    switch (f->op) {
    case F_OR:
        return ftest(e, f->l, item) || ftest(e, f->r, item);
    case F_AND:
        return ftest(e, f->l, item) && ftest(e, f->r, item);
    case F_NOT:
        return !ftest(e, f->l, item);
    case F_EXISTS:
    case F_CMP:
        break;
    }
    json_t *a = operand_get(e, &f->a, item);
    int r;
    if (f->op == F_EXISTS) {
        r = a != NULL;
    } else if (f->cmp == C_RE) {
        r = a && regex_match(f->b.re, a);
    } else {
        json_t *b = operand_get(e, &f->b, item);
        r = compare(f->cmp, a, b);
        json_decref(b);
    }
    json_decref(a);
    return r;
}

/* ---- entry points ------------------------------------------------------------- */

static json_t *length_of(json_t *v)
{
    if (json_is_array(v))
        return json_integer((json_int_t)json_array_size(v));
    if (json_is_object(v))
        return json_integer((json_int_t)json_object_size(v));
    return json_null();
}

static int not_found(struct jpath_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int not_found(struct jpath_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->offset = 0;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return JPATH_NOT_FOUND;
}

static json_t *start_node(const struct jpath *p, json_t *doc, json_t *current,
                          json_t *context, json_t *vars)
{
    switch (p->root) {
    case JPATH_ROOT_INPUT:
        return doc;
    case JPATH_ROOT_CONTEXT:
        return context;
    case JPATH_ROOT_VAR:
        return json_is_object(vars) ? json_object_get(vars, p->var) : NULL;
    case JPATH_ROOT_CURRENT:
        return current;
    }
    return NULL;
}

static int eval_in(const struct jpath *p, json_t *doc, json_t *current, json_t *context,
                   json_t *vars, json_t **out, struct jpath_err *err)
{
    json_t *start = start_node(p, doc, current, context, vars);
    if (!start) {
        if (p->root == JPATH_ROOT_VAR)
            return not_found(err, "The variable '$%s' is not defined", p->var);
        return not_found(err, "%s",
                         p->root == JPATH_ROOT_CONTEXT
                             ? "The context object is not available"
                             : "No input document");
    }
    if (p->nsegs == 0 && !p->fn_length) {
        *out = json_incref(start);
        return 0;
    }
    struct ev e = {p, doc, current, context, vars, NULL, NULL, err, 0};
    if (!p->prefix_definite)
        e.acc = json_array();
    walk(&e, 0, start);
    json_t *val = e.acc ? e.acc : e.single;
    if (e.broke) {
        json_decref(val);
        return JPATH_NOT_FOUND;
    }
    if (!val) {
        struct strbuf sb = STRBUF_INIT;
        render_path(&sb, p, p->nsegs, 1);
        not_found(err, "No results for path: %s", sb.buf);
        strbuf_release(&sb);
        return JPATH_NOT_FOUND;
    }
    if (p->fn_length) {
        json_t *n = length_of(val);
        json_decref(val);
        val = n;
    }
    *out = val;
    return 0;
}

int jpath_eval(const struct jpath *p, json_t *root, json_t *context, json_t *vars,
               json_t **out, struct jpath_err *err)
{
    return eval_in(p, root, NULL, context, vars, out, err);
}

/* ================================================================================
 * ResultPath writes
 * ================================================================================ */

/*
 * Returns a new value equal to `node` with `value` placed at segments i..n, or NULL
 * when an existing step is of the wrong type. Only the spine is copied (shallowly);
 * siblings stay shared with `node`, which is never modified.
 */
static json_t *set_at(const struct jpath *p, size_t i, json_t *node, json_t *value)
{
    if (i == p->nsegs)
        return json_incref(value);
    const struct seg *sg = &p->segs[i];
    json_t *child, *fresh = NULL, *nv, *copy;
    if (sg->type == SEG_NAME) {
        if (!json_is_object(node))
            return NULL;
        child = json_object_getn(node, sg->u.name.s, sg->u.name.len);
        if (!child && i + 1 < p->nsegs)
            child = fresh = json_object();
        nv = set_at(p, i + 1, child, value);
        json_decref(fresh);
        if (!nv)
            return NULL;
        copy = json_copy(node);
        if (json_object_setn_new(copy, sg->u.name.s, sg->u.name.len, nv) < 0) {
            json_decref(copy);
            return NULL;
        }
        return copy;
    }
    if (!json_is_array(node))
        return NULL;
    long long n = (long long)json_array_size(node), idx = sg->u.index;
    if (idx < 0)
        idx += n;
    if (idx < 0 || idx >= n)
        return NULL;
    nv = set_at(p, i + 1, json_array_get(node, (size_t)idx), value);
    if (!nv)
        return NULL;
    copy = json_copy(node);
    json_array_set_new(copy, (size_t)idx, nv);
    return copy;
}

int jpath_set(const struct jpath *ref, json_t *root, json_t *value, json_t **out)
{
    if (ref->root != JPATH_ROOT_INPUT || ref->fn_length || !value)
        return -1;
    for (size_t i = 0; i < ref->nsegs; i++) {
        const struct seg *sg = &ref->segs[i];
        if (sg->scan || (sg->type != SEG_NAME && sg->type != SEG_INDEX))
            return -1;
    }
    json_t *r = set_at(ref, 0, root, value);
    if (!r)
        return -1;
    *out = r;
    return 0;
}
