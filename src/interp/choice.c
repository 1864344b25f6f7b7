/*
 * Choice rules. JSONPath: the operator table, type tests, And/Or/Not, StringMatches
 * wildcards with escapes, and AWS's type-mismatch behaviour (a comparison against a
 * value of the wrong type is false; a missing Variable is States.Runtime, except for
 * IsPresent). JSONata: each rule's Condition must evaluate to a boolean.
 */
#include "interp/exec.h"

#include "base/xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum family { FAM_STRING, FAM_NUMERIC, FAM_BOOLEAN, FAM_TIMESTAMP, FAM_MATCH, FAM_TYPE };
enum cmp { CMP_EQ, CMP_LT, CMP_GT, CMP_LE, CMP_GE };
enum test { T_NULL, T_PRESENT, T_NUMERIC, T_STRING, T_BOOLEAN, T_TIMESTAMP };

struct choice_op {
    const char *name;
    size_t len; /* strlen(name) */
    enum family fam;
    int how;   /* enum cmp, or enum test for FAM_TYPE */
    bool path; /* comparand is a reference path */
};

#define OP(name, fam, how, path)                                                         \
    {                                                                                    \
        name, sizeof(name) - 1, fam, how, path                                           \
    }

static const struct choice_op ops[] = {
    OP("StringEquals", FAM_STRING, CMP_EQ, false),
    OP("StringEqualsPath", FAM_STRING, CMP_EQ, true),
    OP("StringLessThan", FAM_STRING, CMP_LT, false),
    OP("StringLessThanPath", FAM_STRING, CMP_LT, true),
    OP("StringGreaterThan", FAM_STRING, CMP_GT, false),
    OP("StringGreaterThanPath", FAM_STRING, CMP_GT, true),
    OP("StringLessThanEquals", FAM_STRING, CMP_LE, false),
    OP("StringLessThanEqualsPath", FAM_STRING, CMP_LE, true),
    OP("StringGreaterThanEquals", FAM_STRING, CMP_GE, false),
    OP("StringGreaterThanEqualsPath", FAM_STRING, CMP_GE, true),
    OP("NumericEquals", FAM_NUMERIC, CMP_EQ, false),
    OP("NumericEqualsPath", FAM_NUMERIC, CMP_EQ, true),
    OP("NumericLessThan", FAM_NUMERIC, CMP_LT, false),
    OP("NumericLessThanPath", FAM_NUMERIC, CMP_LT, true),
    OP("NumericGreaterThan", FAM_NUMERIC, CMP_GT, false),
    OP("NumericGreaterThanPath", FAM_NUMERIC, CMP_GT, true),
    OP("NumericLessThanEquals", FAM_NUMERIC, CMP_LE, false),
    OP("NumericLessThanEqualsPath", FAM_NUMERIC, CMP_LE, true),
    OP("NumericGreaterThanEquals", FAM_NUMERIC, CMP_GE, false),
    OP("NumericGreaterThanEqualsPath", FAM_NUMERIC, CMP_GE, true),
    OP("TimestampEquals", FAM_TIMESTAMP, CMP_EQ, false),
    OP("TimestampEqualsPath", FAM_TIMESTAMP, CMP_EQ, true),
    OP("TimestampLessThan", FAM_TIMESTAMP, CMP_LT, false),
    OP("TimestampLessThanPath", FAM_TIMESTAMP, CMP_LT, true),
    OP("TimestampGreaterThan", FAM_TIMESTAMP, CMP_GT, false),
    OP("TimestampGreaterThanPath", FAM_TIMESTAMP, CMP_GT, true),
    OP("TimestampLessThanEquals", FAM_TIMESTAMP, CMP_LE, false),
    OP("TimestampLessThanEqualsPath", FAM_TIMESTAMP, CMP_LE, true),
    OP("TimestampGreaterThanEquals", FAM_TIMESTAMP, CMP_GE, false),
    OP("TimestampGreaterThanEqualsPath", FAM_TIMESTAMP, CMP_GE, true),
    OP("BooleanEquals", FAM_BOOLEAN, CMP_EQ, false),
    OP("BooleanEqualsPath", FAM_BOOLEAN, CMP_EQ, true),
    OP("StringMatches", FAM_MATCH, CMP_EQ, false),
    OP("IsNull", FAM_TYPE, T_NULL, false),
    OP("IsPresent", FAM_TYPE, T_PRESENT, false),
    OP("IsNumeric", FAM_TYPE, T_NUMERIC, false),
    OP("IsString", FAM_TYPE, T_STRING, false),
    OP("IsBoolean", FAM_TYPE, T_BOOLEAN, false),
    OP("IsTimestamp", FAM_TYPE, T_TIMESTAMP, false),
};

/* ---- comparisons
 * ------------------------------------------------------------------------ */

/* Decodes one UTF-8 sequence (input is valid UTF-8: it came from jansson). */
static unsigned long next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned long cp;
    int n;
    if (s[0] < 0x80)
        cp = s[0], n = 1;
    else if (s[0] < 0xe0)
        cp = s[0] & 0x1f, n = 2;
    else if (s[0] < 0xf0)
        cp = s[0] & 0x0f, n = 3;
    else
        cp = s[0] & 0x07, n = 4;
    for (int i = 1; i < n; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    *p = s + n;
    return cp;
}

/* UTF-16 code units of a code point, as one sortable number. */
static unsigned long utf16_key(unsigned long cp)
{
    if (cp < 0x10000)
        return cp << 16;
    cp -= 0x10000;
    return (0xd800 + (cp >> 10)) << 16 | (0xdc00 + (cp & 0x3ff));
}

/* Ordinal comparison in UTF-16 code units, as Java's String.compareTo. */
static int cmp_utf16(json_t *a, json_t *b)
{
    const unsigned char *p = (const unsigned char *)json_string_value(a);
    const unsigned char *q = (const unsigned char *)json_string_value(b);
    const unsigned char *pe = p + json_string_length(a), *qe = q + json_string_length(b);
    while (p < pe && q < qe) {
        unsigned long x = utf16_key(next_cp(&p)), y = utf16_key(next_cp(&q));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (p < pe) - (q < qe);
}

static int cmp_numbers(json_t *a, json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    double x = json_number_value(a), y = json_number_value(b);
    return (x > y) - (x < y);
}

static bool is_timestamp(json_t *v, int64_t *sec, long *ns)
{
    int64_t s;
    long n;
    return json_is_string(v) &&
           !time_parse(json_string_value(v), sec ? sec : &s, ns ? ns : &n);
}

/* Compares a and b within a family; returns 2 when the types do not fit it. */
static int cmp_family(enum family fam, json_t *a, json_t *b)
{
    switch (fam) {
    case FAM_STRING:
        return json_is_string(a) && json_is_string(b) ? cmp_utf16(a, b) : 2;
    case FAM_NUMERIC:
        return json_is_number(a) && json_is_number(b) ? cmp_numbers(a, b) : 2;
    case FAM_BOOLEAN:
        return json_is_boolean(a) && json_is_boolean(b)
                   ? json_is_true(a) != json_is_true(b)
                   : 2;
    case FAM_TIMESTAMP: {
        int64_t s1, s2;
        long n1, n2;
        if (!is_timestamp(a, &s1, &n1) || !is_timestamp(b, &s2, &n2))
            return 2;
        if (s1 != s2)
            return s1 < s2 ? -1 : 1;
        return (n1 > n2) - (n1 < n2);
    }
    default:
        return 2;
    }
}

static bool cmp_holds(enum cmp how, int c)
{
    static const signed char want[][3] = {
        [CMP_EQ] = {0, 1, 0}, [CMP_LT] = {1, 0, 0}, [CMP_GT] = {0, 0, 1},
        [CMP_LE] = {1, 1, 0}, [CMP_GE] = {0, 1, 1},
    };
    return c >= -1 && c <= 1 && want[how][c + 1];
}

/*
 * StringMatches: '*' matches any run of characters (also none), "\*" is a literal
 * star and "\\" a literal backslash; the whole string must match.
 */
bool choice_string_matches(const char *s, size_t slen, const char *pat)
{
    size_t plen = strlen(pat), n = 0;
    int *units = xmalloc((plen + 1) * sizeof(*units)); /* -1 = wildcard, else a byte */
    for (size_t i = 0; i < plen; i++) {
        if (pat[i] == '\\' && i + 1 < plen)
            units[n++] = (unsigned char)pat[++i];
        else
            units[n++] = pat[i] == '*' ? -1 : (unsigned char)pat[i];
    }
    size_t si = 0, pi = 0, star = (size_t)-1, mark = 0;
    bool ok = true;
    while (si < slen) {
        if (pi < n && units[pi] == -1) {
            star = pi++;
            mark = si;
        } else if (pi < n && units[pi] == (unsigned char)s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            ok = false;
            break;
        }
    }
    while (ok && pi < n && units[pi] == -1)
        pi++;
    ok = ok && pi == n;
    free(units);
    return ok;
}

static bool type_test(enum test t, json_t *val)
{
    switch (t) {
    case T_NULL:
        return json_is_null(val);
    case T_NUMERIC:
        return json_is_number(val);
    case T_STRING:
        return json_is_string(val);
    case T_BOOLEAN:
        return json_is_boolean(val);
    case T_TIMESTAMP:
        return is_timestamp(val, NULL, NULL);
    default:
        return true;
    }
}

/* ---- rules
 * ---------------------------------------------------------------------------------- */

/* Looks a reference path up; a missing node is States.Runtime. Returns 0 or -1. */
static int must_lookup(struct visit *v, const char *path, json_t *doc, json_t **out)
{
    struct expr_err err = {0};
    int rc = expr_lookup(&v->env, path, doc, out, &err);
    if (rc == EXPR_NOT_FOUND) {
        err.name = "States.Runtime";
        return visit_expr_fail(v, &err);
    }
    if (rc)
        return visit_expr_fail(v, &err);
    return 0;
}

/* What a rule holds, found in one walk over its keys. */
struct rule_parts {
    json_t *not_, *and_, *or_;  /* logic members, NULL when absent */
    json_t *var;                /* Variable */
    const struct choice_op *op; /* of the operators among the keys, the first in the
                                   table (a valid rule has one), or NULL */
    json_t *arg;                /* its comparand */
};

static const struct choice_op *op_named(const char *key, size_t len)
{
    for (const struct choice_op *op = ops; op < ops + ARRAY_SIZE(ops); op++)
        if (op->len == len && op->name[0] == key[0] && !memcmp(op->name, key, len))
            return op;
    return NULL;
}

static void rule_parts(json_t *rule, struct rule_parts *p)
{
    static const struct {
        const char *name;
        size_t len, off;
    } named[] = {
        {"Not", 3, offsetof(struct rule_parts, not_)},
        {"And", 3, offsetof(struct rule_parts, and_)},
        {"Or", 2, offsetof(struct rule_parts, or_)},
        {"Variable", 8, offsetof(struct rule_parts, var)},
    };
    memset(p, 0, sizeof(*p));
    for (void *it = json_object_iter(rule); it; it = json_object_iter_next(rule, it)) {
        const char *key = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it);
        json_t *val = json_object_iter_value(it);
        size_t i = 0;
        while (i < ARRAY_SIZE(named) &&
               (named[i].len != len || memcmp(named[i].name, key, len)))
            i++;
        if (i < ARRAY_SIZE(named)) {
            *(json_t **)((char *)p + named[i].off) = val;
            continue;
        }
        const struct choice_op *op = op_named(key, len);
        if (op && (!p->op || op < p->op)) {
            p->op = op;
            p->arg = val;
        }
    }
}

static int eval_rule(struct visit *v, json_t *rule, json_t *doc, bool *res);

/* Not, And, Or (in that order of precedence); *handled is false for none of them. */
static int eval_logic(struct visit *v, const struct rule_parts *p, json_t *doc, bool *res,
                      bool *handled)
{
    *handled = true;
    if (p->not_) {
        if (eval_rule(v, p->not_, doc, res))
            return -1;
        *res = !*res;
        return 0;
    }
    bool is_and = p->and_ != NULL;
    json_t *sub = is_and ? p->and_ : p->or_;
    if (!sub) {
        *handled = false;
        return 0;
    }
    size_t i;
    json_t *r;
    *res = is_and;
    json_array_foreach(sub, i, r)
    {
        bool b;
        if (eval_rule(v, r, doc, &b))
            return -1;
        if (b != is_and) {
            *res = b;
            return 0;
        }
    }
    return 0;
}

static int eval_compare(struct visit *v, const struct choice_op *op, json_t *arg,
                        json_t *val, json_t *doc, bool *res)
{
    json_t *cmp = arg, *owned = NULL;
    if (op->path) {
        if (!json_is_string(arg))
            return visit_runtime(v, "The field '%s' must be a reference path", op->name);
        if (must_lookup(v, json_string_value(arg), doc, &owned))
            return -1;
        cmp = owned;
    }
    if (op->fam == FAM_MATCH)
        *res = json_is_string(val) && json_is_string(cmp) &&
               choice_string_matches(json_string_value(val), json_string_length(val),
                                     json_string_value(cmp));
    else
        *res = cmp_holds((enum cmp)op->how, cmp_family(op->fam, val, cmp));
    json_decref(owned);
    return 0;
}

static int eval_rule(struct visit *v, json_t *rule, json_t *doc, bool *res)
{
    bool handled;
    *res = false;
    if (!json_is_object(rule))
        return visit_runtime(v, "A Choice rule must be an object");
    struct rule_parts parts;
    rule_parts(rule, &parts);
    int lrc = eval_logic(v, &parts, doc, res, &handled);
    if (handled)
        return lrc;
    json_t *arg = parts.arg;
    const struct choice_op *op = parts.op;
    const char *var = json_string_value(parts.var);
    if (!op || !var)
        return visit_runtime(
            v, "A Choice rule needs a Variable and one comparison operator");
    json_t *val = NULL;
    struct expr_err err = {0};
    int rc = expr_lookup(&v->env, var, doc, &val, &err);
    if (rc < 0)
        return visit_expr_fail(v, &err);
    if (op->fam == FAM_TYPE && op->how == T_PRESENT) {
        expr_err_release(&err);
        *res = (rc == 0) == json_is_true(arg);
        json_decref(val);
        return 0;
    }
    if (rc == EXPR_NOT_FOUND) {
        err.name = "States.Runtime";
        return visit_expr_fail(v, &err);
    }
    if (op->fam == FAM_TYPE)
        *res = type_test((enum test)op->how, val) == json_is_true(arg);
    else
        rc = eval_compare(v, op, arg, val, doc, res);
    json_decref(val);
    return rc;
}

/* A JSONata rule: its Condition, a boolean literal or an expression, decides. */
static int eval_condition(struct visit *v, json_t *rule, size_t i, bool *res)
{
    char field[48];
    snprintf(field, sizeof(field), "Choices[%zu]/Condition", i);
    json_t *cond = json_object_get(rule, "Condition"), *val;
    if (!cond)
        return visit_runtime(v, "The Choice rule %zu has no Condition", i);
    if (visit_jsonata(v, field, cond, EXPR_WANT_BOOLEAN, &val))
        return -1;
    bool ok = json_is_boolean(val);
    *res = json_is_true(val);
    json_decref(val);
    if (!ok)
        return visit_runtime(v, "The field '%s' must be a boolean or an expression",
                             field);
    return 0;
}

int choice_eval(struct visit *v, json_t *doc, const char **next, json_t **rule)
{
    size_t i;
    json_t *r;
    json_array_foreach(vfield(v, SF_CHOICES), i, r)
    {
        bool b;
        if (v->jsonata ? eval_condition(v, r, i, &b) : eval_rule(v, r, doc, &b))
            return -1;
        if (b) {
            *next = json_string_value(json_object_get(r, "Next"));
            *rule = r;
            exec_note(v->t, INTERP_NOTE_CHOICE, v->name, NULL, (int)i);
            return 0;
        }
    }
    *rule = NULL;
    *next = json_string_value(vfield(v, SF_DEFAULT));
    if (*next) {
        exec_note(v->t, INTERP_NOTE_CHOICE, v->name, NULL, -1);
        return 0;
    }
    char *pre = visit_prefix(v);
    char *cause = xasprintf("%sNo Choice Rule matched and no Default is specified.", pre);
    free(pre);
    fail_release(&v->f);
    v->f.kind = FK_ERROR;
    v->f.error = xstrdup("States.NoChoiceMatched");
    v->f.cause = cause;
    return -1;
}
