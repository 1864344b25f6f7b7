/*
 * JSONata lexer: turns expression text into tokens with byte positions. Names end at
 * whitespace or an operator character; `$name` is a variable; strings take JSON escapes;
 * `/re/flags` is a regex literal where an operand is expected; comments are C style.
 */
#include "interp/jsonata_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char OP_CHARS[] = ".[]{}(),@#;:?+-*/%|=<>^&!~";

/* Two-character operators, then the static strings single characters map to. */
static const char *const OP2[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"};
static const char *const OP1[] = {".", "[", "]", "{", "}", "(", ")", ",", "@",
                                  "#", ";", ":", "?", "+", "-", "*", "/", "%",
                                  "|", "=", "<", ">", "^", "&", "!", "~"};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_op_char(char c)
{
    return c && strchr(OP_CHARS, c) != NULL;
}

static int fail(struct jsonata_err *err, const char *code, size_t pos, const char *msg)
{
    jsonata_set_err(err, code, pos, "%s", msg);
    return -1;
}

static int hex4(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    if (n < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* Scans a quoted string starting at l->pos (the quote). */
static int lex_string(struct jlex *l, struct jtok *t, struct jsonata_err *err)
{
    char q = l->src[l->pos];
    size_t start = l->pos++;
    char *buf = jsonata_arena_alloc(&l->j->arena, l->len - start + 1);
    size_t n = 0;
    while (l->pos < l->len) {
        char c = l->src[l->pos];
        if (c == q) {
            l->pos++;
            buf[n] = '\0';
            t->type = T_STR;
            t->s = buf;
            t->slen = n;
            return 0;
        }
        if (c != '\\') {
            buf[n++] = c;
            l->pos++;
            continue;
        }
        l->pos++;
        if (l->pos >= l->len)
            break;
        c = l->src[l->pos++];
        switch (c) {
        case '"':
        case '\\':
        case '/':
        case '\'':
            buf[n++] = c;
            break;
        case 'b':
            buf[n++] = '\b';
            break;
        case 'f':
            buf[n++] = '\f';
            break;
        case 'n':
            buf[n++] = '\n';
            break;
        case 'r':
            buf[n++] = '\r';
            break;
        case 't':
            buf[n++] = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (hex4(l->src + l->pos, l->len - l->pos, &cp))
                return fail(err, "S0104", l->pos - 2,
                            "the escape sequence \\u must be followed by 4 hex digits");
            l->pos += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && l->pos + 6 <= l->len &&
                l->src[l->pos] == '\\' && l->src[l->pos + 1] == 'u' &&
                !hex4(l->src + l->pos + 2, 4, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                l->pos += 6;
            }
            n += jsonata_utf8_encode(cp, buf + n);
            break;
        }
        default:
            return fail(err, "S0103", l->pos - 2,
                        "unsupported escape sequence in string");
        }
    }
    return fail(err, "S0101", start,
                "string literal must be terminated by a matching quote");
}

/* Scans a regex literal /pattern/flags starting at l->pos (the slash). */
static int lex_regex(struct jlex *l, struct jtok *t, struct jsonata_err *err)
{
    size_t start = ++l->pos;
    int depth = 0;
    while (l->pos < l->len) {
        char c = l->src[l->pos];
        if (c == '/' && depth == 0) {
            size_t bs = 0;
            while (l->pos - bs > start && l->src[l->pos - bs - 1] == '\\')
                bs++;
            if (bs % 2 == 0) {
                if (l->pos == start)
                    return fail(err, "S0301", start,
                                "empty regular expressions are not allowed");
                t->type = T_REGEX;
                t->s = l->src + start;
                t->slen = l->pos - start;
                l->pos++;
                t->re_flags = 0;
                while (l->pos < l->len &&
                       (l->src[l->pos] == 'i' || l->src[l->pos] == 'm')) {
                    t->re_flags |=
                        l->src[l->pos] == 'i' ? PCRE2_CASELESS : PCRE2_MULTILINE;
                    l->pos++;
                }
                return 0;
            }
        }
        bool escaped = l->pos > start && l->src[l->pos - 1] == '\\';
        if ((c == '(' || c == '[' || c == '{') && !escaped)
            depth++;
        if ((c == ')' || c == ']' || c == '}') && !escaped)
            depth--;
        l->pos++;
    }
    return fail(err, "S0302", start - 1, "no terminating / in regular expression");
}

static int lex_number(struct jlex *l, struct jtok *t, struct jsonata_err *err)
{
    const char *s = l->src;
    size_t i = l->pos, n = l->len;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i + 1 < n && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && s[j] >= '0' && s[j] <= '9') {
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    char tmp[64];
    size_t len = i - l->pos;
    if (len >= sizeof(tmp)) {
        char *big = jsonata_arena_alloc(&l->j->arena, len + 1);
        memcpy(big, s + l->pos, len);
        big[len] = '\0';
        t->num = strtod(big, NULL);
    } else {
        memcpy(tmp, s + l->pos, len);
        tmp[len] = '\0';
        t->num = strtod(tmp, NULL);
    }
    if (!isfinite(t->num))
        return fail(err, "S0102", l->pos, "number out of range");
    t->type = T_NUM;
    l->pos = i;
    return 0;
}

int jsonata_lex_next(struct jlex *l, bool operand, struct jtok *t,
                     struct jsonata_err *err)
{
    const char *s = l->src;
    memset(t, 0, sizeof(*t));
    for (;;) {
        while (l->pos < l->len && is_space(s[l->pos]))
            l->pos++;
        if (l->pos + 1 < l->len && s[l->pos] == '/' && s[l->pos + 1] == '*') {
            size_t start = l->pos;
            const char *end = NULL;
            for (size_t i = l->pos + 2; i + 1 < l->len; i++)
                if (s[i] == '*' && s[i + 1] == '/') {
                    end = s + i;
                    break;
                }
            if (!end)
                return fail(err, "S0106", start, "comment has no closing tag");
            l->pos = (size_t)(end - s) + 2;
            continue;
        }
        break;
    }
    t->pos = l->pos;
    if (l->pos >= l->len) {
        t->type = T_END;
        return 0;
    }
    char c = s[l->pos];
    if (operand && c == '/')
        return lex_regex(l, t, err);
    if (l->pos + 1 < l->len) {
        for (size_t i = 0; i < sizeof(OP2) / sizeof(OP2[0]); i++)
            if (c == OP2[i][0] && s[l->pos + 1] == OP2[i][1]) {
                t->type = T_OP;
                t->op = OP2[i];
                l->pos += 2;
                return 0;
            }
    }
    if (is_op_char(c)) {
        t->type = T_OP;
        t->op = OP1[strchr(OP_CHARS, c) - OP_CHARS];
        l->pos++;
        return 0;
    }
    if (c == '"' || c == '\'')
        return lex_string(l, t, err);
    if (c >= '0' && c <= '9')
        return lex_number(l, t, err);
    if (c == '`') {
        const char *end = memchr(s + l->pos + 1, '`', l->len - l->pos - 1);
        if (!end)
            return fail(err, "S0105", l->pos,
                        "quoted property name must be terminated with a backquote (`)");
        size_t n = (size_t)(end - s) - l->pos - 1;
        char *name = jsonata_arena_alloc(&l->j->arena, n + 1);
        memcpy(name, s + l->pos + 1, n);
        name[n] = '\0';
        t->type = T_NAME;
        t->s = name;
        t->slen = n;
        l->pos += n + 2;
        return 0;
    }
    size_t i = l->pos;
    while (i < l->len && !is_space(s[i]) && !is_op_char(s[i]))
        i++;
    bool var = c == '$';
    size_t from = l->pos + (var ? 1 : 0), n = i - from;
    char *name = jsonata_arena_alloc(&l->j->arena, n + 1);
    memcpy(name, s + from, n);
    name[n] = '\0';
    l->pos = i;
    t->s = name;
    t->slen = n;
    if (var) {
        t->type = T_VAR;
    } else if (!strcmp(name, "and") || !strcmp(name, "or") || !strcmp(name, "in")) {
        t->type = T_OP;
        t->op = name[0] == 'a' ? "and" : name[0] == 'o' ? "or" : "in";
    } else if (!strcmp(name, "true") || !strcmp(name, "false") || !strcmp(name, "null")) {
        t->type = T_VALUE;
        t->val = name[0] == 'f' ? 0 : name[0] == 't' ? 1 : 2;
    } else {
        t->type = T_NAME;
    }
    return 0;
}
