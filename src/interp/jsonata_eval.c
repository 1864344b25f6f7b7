/*
 * JSONata evaluator: walks the AST of jsonata_parse.c over arena values. Paths map each
 * step over a sequence and flatten the results; steps with @/# bindings or % parents run
 * as tuple streams (focus plus bindings). Function application goes through one
 * trampoline so tail calls run in constant stack. Also the public entry points
 * jsonata_compile, jsonata_eval and jsonata_check_aws.
 */
#include "interp/jsonata_int.h"

#include "base/xalloc.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DEPTH 5000
#define MAX_DEPTH     10000 /* what the C stack takes safely, sanitizers included */
#define DEFAULT_STEPS 50000000UL
#define DEFAULT_BYTES ((size_t)1 << 30)
#define RANGE_MAX     10000000.0

/* Step Functions quotes this message verbatim in its cause text (asl-semantics 6.6). */
#define T1006_MSG "Attempted to invoke a non-function"

static struct jv *eval(struct jx *x, const struct jnode *n, struct jv *in,
                       struct jframe *env);

/* ---- Frames ------------------------------------------------------------------------ */

static struct jframe *frame_new(struct jx *x, struct jframe *parent)
{
    struct jframe *f = jsonata_alloc(x, sizeof(*f));
    f->parent = parent;
    f->b = NULL;
    f->n = f->cap = 0;
    return f;
}

static void frame_bind(struct jx *x, struct jframe *f, const char *name, struct jv *v)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->b[i].name, name)) {
            if (!f->cap) { /* borrowed from a tuple: copy before writing */
                struct jbind *nb = jsonata_alloc(x, (f->n + 1) * sizeof(*nb));
                memcpy(nb, f->b, f->n * sizeof(*nb));
                f->b = nb;
                f->cap = f->n + 1;
            }
            f->b[i].v = v;
            return;
        }
    if (f->n >= f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        if (cap <= f->n)
            cap = f->n + 4;
        struct jbind *nb = jsonata_alloc(x, cap * sizeof(*nb));
        if (f->n)
            memcpy(nb, f->b, f->n * sizeof(*nb));
        f->b = nb;
        f->cap = cap;
    }
    f->b[f->n].name = name;
    f->b[f->n++].v = v;
}

static struct jframe *frame_from_tuple(struct jx *x, struct jframe *parent,
                                       const struct jtuple *t)
{
    struct jframe *f = frame_new(x, parent);
    f->b = t->b;
    f->n = t->n;
    f->cap = 0;
    return f;
}

/*
 * Looks a variable up; also resolves lazy host bindings and builtin functions. bi is
 * the builtin of that name when the caller knows it (resolved at parse time), or
 * &unknown_bi to search the table for one (names that are no builtin also search).
 */
static const struct jsonata_builtin unknown_bi;

static bool lookup_bi(struct jx *x, struct jframe *f, const char *name,
                      const struct jsonata_builtin *bi, struct jv **out)
{
    struct jframe *last = f;
    for (; f; f = f->parent) {
        for (size_t i = f->n; i-- > 0;)
            if (f->b[i].name[0] == name[0] && !strcmp(f->b[i].name, name)) {
                *out = f->b[i].v;
                return true;
            }
        last = f;
    }
    json_t *host = x->env->bindings ? json_object_get(x->env->bindings, name) : NULL;
    if (host) {
        *out = jsonata_from_json(x, host, false);
        frame_bind(x, last, jsonata_strndup(x, name, strlen(name)), *out);
        return true;
    }
    const struct jsonata_builtin *b = bi == &unknown_bi ? jsonata_builtin_find(name) : bi;
    if (b && !(x->aws && b->plain_only)) {
        *out = jsonata_builtin_value(b);
        return true;
    }
    *out = NULL;
    return false;
}

static bool lookup(struct jx *x, struct jframe *f, const char *name, struct jv **out)
{
    return lookup_bi(x, f, name, &unknown_bi, out);
}

struct jv *jsonata_lookup_var(struct jx *x, struct jframe *f, const char *name)
{
    struct jv *v;
    lookup(x, f, name, &v);
    return v;
}

/* ---- Tuples ------------------------------------------------------------------------ */

static struct jtuple *tuple_new(struct jx *x, struct jv *at)
{
    struct jtuple *t = jsonata_alloc(x, sizeof(*t));
    t->at = at;
    t->b = NULL;
    t->n = 0;
    return t;
}

static struct jtuple *tuple_copy(struct jx *x, const struct jtuple *src, size_t extra)
{
    struct jtuple *t = jsonata_alloc(x, sizeof(*t));
    t->at = src->at;
    t->b = jsonata_alloc(x, (src->n + extra + 1) * sizeof(struct jbind));
    if (src->n)
        memcpy(t->b, src->b, src->n * sizeof(struct jbind));
    t->n = src->n;
    return t;
}

/* Sets a binding in a tuple made by tuple_copy with room for it. */
static void tuple_set(struct jtuple *t, const char *name, struct jv *v)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->b[i].name, name)) {
            t->b[i].v = v;
            return;
        }
    t->b[t->n].name = name;
    t->b[t->n++].v = v;
}

static struct jv *tuples_new(struct jx *x, size_t cap)
{
    struct jv *v = jsonata_alloc(x, sizeof(*v));
    v->t = JV_TUPLES;
    v->f = 0;
    v->u.tu.n = 0;
    v->u.tu.cap = cap;
    v->u.tu.v = cap ? jsonata_alloc(x, cap * sizeof(struct jtuple *)) : NULL;
    return v;
}

static void tuples_push(struct jx *x, struct jv *s, struct jtuple *t)
{
    if (s->u.tu.n == s->u.tu.cap) {
        size_t cap = s->u.tu.cap ? s->u.tu.cap * 2 : 4;
        struct jtuple **nv = jsonata_alloc(x, cap * sizeof(*nv));
        if (s->u.tu.n)
            memcpy(nv, s->u.tu.v, s->u.tu.n * sizeof(*nv));
        s->u.tu.v = nv;
        s->u.tu.cap = cap;
    }
    s->u.tu.v[s->u.tu.n++] = t;
}

/* ---- Budget ------------------------------------------------------------------------ */

void jsonata_step(struct jx *x)
{
    if (++x->steps > x->max_steps)
        jsonata_throw(x, "U1001", 0,
                      "expression evaluation exceeded its step budget: check for an "
                      "infinite loop");
}

/* ---- Simple nodes ------------------------------------------------------------------ */

static struct jv *lookup_field(struct jx *x, struct jv *in, const char *k, size_t klen,
                               int depth)
{
    if (!in)
        return NULL;
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested too deeply");
    if (in->t == JV_ARR) {
        struct jv *r = jsonata_seq(x, 0);
        for (size_t i = 0; i < in->u.a.n; i++) {
            struct jv *v = lookup_field(x, in->u.a.v[i], k, klen, depth + 1);
            if (!v)
                continue;
            if (v->t == JV_ARR)
                for (size_t j = 0; j < v->u.a.n; j++)
                    jsonata_push(x, r, v->u.a.v[j]);
            else
                jsonata_push(x, r, v);
        }
        return r;
    }
    if (in->t == JV_OBJ)
        return jsonata_obj_get(x, in, k, klen);
    return NULL;
}

static void flatten_into(struct jx *x, struct jv *r, struct jv *v, int depth)
{
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested too deeply");
    if (v && v->t == JV_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++)
            flatten_into(x, r, v->u.a.v[i], depth + 1);
    } else if (v) {
        jsonata_push(x, r, v);
    }
}

static struct jv *eval_wildcard(struct jx *x, struct jv *in)
{
    struct jv *r = jsonata_seq(x, 0);
    if (in && in->t == JV_ARR && (in->f & JVF_OUTER) && in->u.a.n)
        in = in->u.a.v[0];
    if (in && in->t == JV_OBJ) {
        const struct jobj *o = jsonata_o(x, in);
        for (size_t i = 0; i < o->n; i++) {
            struct jv *v = o->kv[i].v;
            if (v && v->t == JV_ARR)
                flatten_into(x, r, v, 0);
            else if (v)
                jsonata_push(x, r, v);
        }
    } else if (in && in->t == JV_ARR) {
        for (size_t i = 0; i < in->u.a.n; i++) {
            struct jv *v = in->u.a.v[i];
            if (v && v->t == JV_ARR)
                flatten_into(x, r, v, 0);
            else if (v)
                jsonata_push(x, r, v);
        }
    }
    return r;
}

static void descend(struct jx *x, struct jv *in, struct jv *r, int depth)
{
    if (!in)
        return;
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested too deeply");
    jsonata_step(x);
    if (in->t != JV_ARR)
        jsonata_push(x, r, in);
    if (in->t == JV_ARR) {
        for (size_t i = 0; i < in->u.a.n; i++)
            descend(x, in->u.a.v[i], r, depth + 1);
    } else if (in->t == JV_OBJ) {
        const struct jobj *o = jsonata_o(x, in);
        for (size_t i = 0; i < o->n; i++)
            descend(x, o->kv[i].v, r, depth + 1);
    }
}

static struct jv *eval_descendants(struct jx *x, struct jv *in)
{
    if (!in)
        return NULL;
    struct jv *r = jsonata_seq(x, 0);
    descend(x, in, r, 0);
    return r->u.a.n == 1 ? r->u.a.v[0] : r;
}

/* ---- Operators --------------------------------------------------------------------- */

static bool numeric(struct jx *x, const struct jv *v, size_t pos)
{
    if (!v || v->t != JV_NUM)
        return false;
    if (isnan(v->u.n))
        return false;
    if (!isfinite(v->u.n))
        jsonata_throw(x, "D1001", pos, "number out of range");
    return true;
}

static const char *op_text(enum jop op)
{
    static const char *const t[] = {"",   "+", "-",  "*", "/",   "%",  "=",  "!=", "<",
                                    "<=", ">", ">=", "&", "and", "or", "in", ".."};
    return t[op];
}

static struct jv *eval_numeric(struct jx *x, const struct jnode *n, struct jv *l,
                               struct jv *r)
{
    if (l && !numeric(x, l, n->pos))
        jsonata_throw(x, "T2001", n->pos,
                      "the left side of the '%s' operator must evaluate to a number",
                      op_text(n->op));
    if (r && !numeric(x, r, n->pos))
        jsonata_throw(x, "T2002", n->pos,
                      "the right side of the '%s' operator must evaluate to a number",
                      op_text(n->op));
    if (!l || !r)
        return NULL;
    double a = l->u.n, b = r->u.n, v = 0;
    switch (n->op) {
    case OP_ADD:
        v = a + b;
        break;
    case OP_SUB:
        v = a - b;
        break;
    case OP_MUL:
        v = a * b;
        break;
    case OP_DIV:
        v = a / b;
        break;
    default:
        v = fmod(a, b);
        break;
    }
    return jsonata_num(x, v);
}

static struct jv *eval_compare(struct jx *x, const struct jnode *n, struct jv *l,
                               struct jv *r)
{
    bool lc = !l || l->t == JV_STR || l->t == JV_NUM;
    bool rc = !r || r->t == JV_STR || r->t == JV_NUM;
    if (!lc || !rc)
        jsonata_throw(x, "T2010", n->pos,
                      "the expressions either side of operator '%s' must evaluate to "
                      "numeric or string values",
                      op_text(n->op));
    if (!l || !r)
        return NULL;
    if (l->t != r->t)
        jsonata_throw(x, "T2009", n->pos,
                      "the values %s and %s either side of operator '%s' must be of the "
                      "same data type",
                      jsonata_describe(x, l), jsonata_describe(x, r), op_text(n->op));
    int c;
    if (l->t == JV_NUM) {
        double a = l->u.n, b = r->u.n;
        switch (n->op) {
        case OP_LT:
            return jsonata_bool(a < b);
        case OP_LE:
            return jsonata_bool(a <= b);
        case OP_GT:
            return jsonata_bool(a > b);
        default:
            return jsonata_bool(a >= b);
        }
    }
    size_t m = l->u.s.len < r->u.s.len ? l->u.s.len : r->u.s.len;
    c = memcmp(l->u.s.p, r->u.s.p, m);
    if (c == 0)
        c = l->u.s.len < r->u.s.len ? -1 : l->u.s.len > r->u.s.len;
    switch (n->op) {
    case OP_LT:
        return jsonata_bool(c < 0);
    case OP_LE:
        return jsonata_bool(c <= 0);
    case OP_GT:
        return jsonata_bool(c > 0);
    default:
        return jsonata_bool(c >= 0);
    }
}

static bool is_integer(const struct jv *v)
{
    return v && v->t == JV_NUM && isfinite(v->u.n) && v->u.n == floor(v->u.n);
}

static struct jv *eval_range(struct jx *x, const struct jnode *n, struct jv *l,
                             struct jv *r)
{
    if (l && !is_integer(l))
        jsonata_throw(x, "T2003", n->pos,
                      "the left side of the range operator (..) must "
                      "evaluate to an integer");
    if (r && !is_integer(r))
        jsonata_throw(x, "T2004", n->pos,
                      "the right side of the range operator (..) must "
                      "evaluate to an integer");
    if (!l || !r || l->u.n > r->u.n)
        return NULL;
    double size = r->u.n - l->u.n + 1;
    if (size > RANGE_MAX)
        jsonata_throw(
            x, "D2014", n->pos,
            "the size of the sequence allocated by the range operator (..) must "
            "not exceed 1e7; attempted to allocate %.0f",
            size);
    size_t cnt = (size_t)size;
    struct jv *a = jsonata_seq(x, cnt);
    struct jv *nums = jsonata_alloc(x, cnt * sizeof(struct jv));
    for (size_t i = 0; i < cnt; i++) {
        nums[i].t = JV_NUM;
        nums[i].f = 0;
        nums[i].u.n = l->u.n + (double)i;
        a->u.a.v[i] = &nums[i];
    }
    a->u.a.n = cnt;
    return a;
}

static struct jv *eval_binary(struct jx *x, const struct jnode *n, struct jv *in,
                              struct jframe *env)
{
    struct jv *l = eval(x, n->lhs, in, env);
    if (n->op == OP_AND || n->op == OP_OR) {
        bool lb = jsonata_truthy(x, l, NULL);
        if (n->op == OP_AND && !lb)
            return &jsonata_false;
        if (n->op == OP_OR && lb)
            return &jsonata_true;
        return jsonata_bool(jsonata_truthy(x, eval(x, n->rhs, in, env), NULL));
    }
    struct jv *r = eval(x, n->rhs, in, env);
    switch (n->op) {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
        return eval_numeric(x, n, l, r);
    case OP_EQ:
    case OP_NE:
        if (!l || !r)
            return &jsonata_false;
        return jsonata_bool(jsonata_deep_equal(x, l, r) == (n->op == OP_EQ));
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return eval_compare(x, n, l, r);
    case OP_CONCAT: {
        struct jv *ls = l ? jsonata_stringify(x, l, false) : NULL;
        struct jv *rs = r ? jsonata_stringify(x, r, false) : NULL;
        struct jsb b = {x, NULL, 0, 0};
        if (ls)
            jsonata_sb_add(&b, ls->u.s.p, ls->u.s.len);
        if (rs)
            jsonata_sb_add(&b, rs->u.s.p, rs->u.s.len);
        return jsonata_sb_str(&b);
    }
    case OP_IN:
        if (!l || !r)
            return &jsonata_false;
        if (r->t != JV_ARR)
            return jsonata_bool(jsonata_scalar_equal(l, r));
        for (size_t i = 0; i < r->u.a.n; i++)
            if (jsonata_scalar_equal(r->u.a.v[i], l))
                return &jsonata_true;
        return &jsonata_false;
    case OP_RANGE:
        return eval_range(x, n, l, r);
    default:
        return NULL;
    }
}

/* ---- Predicates -------------------------------------------------------------------- */

static bool all_numbers(const struct jv *v)
{
    if (!v || v->t != JV_ARR)
        return false;
    for (size_t i = 0; i < v->u.a.n; i++)
        if (!v->u.a.v[i] || v->u.a.v[i]->t != JV_NUM)
            return false;
    return true;
}

static long norm_index(double d, size_t n)
{
    double f = floor(d);
    if (f < 0)
        f += (double)n;
    if (!(f >= 0 && f < (double)n)) /* also NaN */
        return -1;
    return (long)f;
}

static struct jv *eval_filter(struct jx *x, const struct jnode *pred, struct jv *in,
                              struct jframe *env)
{
    bool tuples = in && in->t == JV_TUPLES;
    bool one = pred->type == N_NUMBER; /* keeps at most one item */
    struct jv *res = tuples ? tuples_new(x, one) : jsonata_seq(x, one);
    if (!tuples)
        in = jsonata_as_array(x, in);
    size_t n = tuples ? in->u.tu.n : in->u.a.n;
    if (one) {
        long i = norm_index(pred->num, n);
        if (i < 0)
            return res;
        if (tuples) {
            tuples_push(x, res, in->u.tu.v[i]);
        } else {
            struct jv *item = in->u.a.v[i];
            if (item && item->t == JV_ARR)
                return item;
            if (item)
                jsonata_push(x, res, item);
        }
        return res;
    }
    for (size_t i = 0; i < n; i++) {
        struct jv *ctx;
        struct jframe *fenv = env;
        if (tuples) {
            ctx = in->u.tu.v[i]->at;
            fenv = frame_from_tuple(x, env, in->u.tu.v[i]);
        } else {
            ctx = in->u.a.v[i];
        }
        struct jv *r = eval(x, pred, ctx, fenv);
        bool keep = false;
        if (r && r->t == JV_NUM) {
            keep = norm_index(r->u.n, n) == (long)i;
        } else if (all_numbers(r)) {
            for (size_t j = 0; j < r->u.a.n && !keep; j++)
                keep = norm_index(r->u.a.v[j]->u.n, n) == (long)i;
        } else {
            keep = jsonata_truthy(x, r, NULL);
        }
        if (!keep)
            continue;
        if (tuples)
            tuples_push(x, res, in->u.tu.v[i]);
        else if (ctx)
            jsonata_push(x, res, ctx);
    }
    return res;
}

static struct jv *eval_stages(struct jx *x, const struct jstage *st, size_t n,
                              struct jv *in, struct jframe *env)
{
    for (size_t s = 0; s < n; s++) {
        if (!st[s].is_index) {
            in = eval_filter(x, st[s].expr, in, env);
            continue;
        }
        if (!in || in->t != JV_TUPLES)
            continue;
        for (size_t i = 0; i < in->u.tu.n; i++) {
            struct jtuple *t = tuple_copy(x, in->u.tu.v[i], 1);
            tuple_set(t, st[s].var, jsonata_num(x, (double)i));
            in->u.tu.v[i] = t;
        }
    }
    return in;
}

/* ---- Sorting ----------------------------------------------------------------------- */

struct sort_item {
    struct jv *item; /* value, or tuple focus */
    struct jtuple *tuple;
    struct jv **keys;
};

struct sort_ctx {
    const struct jnode *n;
};

static bool sort_after(struct jx *x, struct jv *a, struct jv *b, void *ud)
{
    const struct jnode *n = ((struct sort_ctx *)ud)->n;
    struct sort_item *ia = (struct sort_item *)a, *ib = (struct sort_item *)b;
    for (size_t t = 0; t < n->nterms; t++) {
        struct jv *ka = ia->keys[t], *kb = ib->keys[t];
        int comp;
        if (!ka) {
            comp = kb ? 1 : 0;
            if (comp)
                return true;
            continue;
        }
        if (!kb)
            return false;
        bool oka = ka->t == JV_STR || ka->t == JV_NUM,
             okb = kb->t == JV_STR || kb->t == JV_NUM;
        if (!oka || !okb)
            jsonata_throw(x, "T2008", n->pos,
                          "the expressions within an order-by clause must evaluate to "
                          "numeric or string values");
        if (ka->t != kb->t)
            jsonata_throw(
                x, "T2007", n->pos,
                "type mismatch when comparing values %s and %s in order-by clause",
                jsonata_describe(x, ka), jsonata_describe(x, kb));
        if (ka->t == JV_NUM) {
            comp = ka->u.n == kb->u.n ? 0 : ka->u.n < kb->u.n ? -1 : 1;
        } else {
            size_t m = ka->u.s.len < kb->u.s.len ? ka->u.s.len : kb->u.s.len;
            comp = memcmp(ka->u.s.p, kb->u.s.p, m);
            if (!comp)
                comp = ka->u.s.len < kb->u.s.len ? -1 : ka->u.s.len > kb->u.s.len;
            comp = comp < 0 ? -1 : comp > 0;
        }
        if (comp == 0)
            continue;
        if (n->terms[t].desc)
            comp = -comp;
        return comp == 1;
    }
    return false;
}

static struct jv *eval_sort(struct jx *x, const struct jnode *n, struct jv *in,
                            struct jframe *env)
{
    bool tuples = in && in->t == JV_TUPLES;
    if (!tuples)
        in = jsonata_as_array(x, in);
    size_t cnt = tuples ? in->u.tu.n : in->u.a.n;
    struct sort_item *items = jsonata_alloc(x, (cnt ? cnt : 1) * sizeof(*items));
    struct jv **ptrs = jsonata_alloc(x, (cnt ? cnt : 1) * sizeof(*ptrs));
    for (size_t i = 0; i < cnt; i++) {
        struct sort_item *it = &items[i];
        struct jframe *fenv = env;
        it->tuple = tuples ? in->u.tu.v[i] : NULL;
        it->item = tuples ? it->tuple->at : in->u.a.v[i];
        if (tuples)
            fenv = frame_from_tuple(x, env, it->tuple);
        it->keys = jsonata_alloc(x, (n->nterms ? n->nterms : 1) * sizeof(struct jv *));
        for (size_t t = 0; t < n->nterms; t++)
            it->keys[t] = eval(x, n->terms[t].expr, it->item, fenv);
        ptrs[i] = (struct jv *)it;
    }
    struct sort_ctx sc = {n};
    jsonata_msort(x, ptrs, cnt, sort_after, &sc);
    if (tuples) {
        struct jv *r = tuples_new(x, cnt);
        for (size_t i = 0; i < cnt; i++)
            tuples_push(x, r, ((struct sort_item *)ptrs[i])->tuple);
        return r;
    }
    struct jv *r = jsonata_seq(x, cnt);
    for (size_t i = 0; i < cnt; i++)
        r->u.a.v[i] = ((struct sort_item *)ptrs[i])->item;
    r->u.a.n = cnt;
    return r;
}

/* ---- Grouping and object constructors ---------------------------------------------- */

/*
 * Accumulates values with JSONata's append() semantics (the first value as is, then an
 * array that flattens array arguments one level) in amortised constant time per value.
 */
struct acc {
    struct jv *first, *arr;
    size_t count;
};

static void acc_push_all(struct jx *x, struct jv *arr, struct jv *v)
{
    if (v->t == JV_ARR)
        for (size_t i = 0; i < v->u.a.n; i++)
            jsonata_push(x, arr, v->u.a.v[i]);
    else
        jsonata_push(x, arr, v);
}

static void acc_add(struct jx *x, struct acc *a, struct jv *v)
{
    if (!v)
        return;
    if (a->count == 0) {
        a->first = v;
        a->count = 1;
        return;
    }
    if (a->count == 1) {
        a->arr = jsonata_arr(x, 4);
        acc_push_all(x, a->arr, a->first);
    }
    acc_push_all(x, a->arr, v);
    a->count++;
}

static struct jv *acc_value(const struct acc *a)
{
    return a->count == 0 ? NULL : a->count == 1 ? a->first : a->arr;
}

struct group {
    const char *key;
    size_t klen;
    size_t pair;
    struct acc data;    /* plain mode */
    struct jtuple **tu; /* tuple mode */
    size_t ntu, captu;
};

static struct jtuple *reduce_tuples(struct jx *x, struct group *g)
{
    if (g->ntu == 0)
        return tuple_new(x, acc_value(&g->data));
    if (g->ntu == 1)
        return g->tu[0];
    /* every binding (and the focus) becomes the append() of its values */
    size_t nb = 0, cap = 8;
    struct jbind *names = jsonata_alloc(x, cap * sizeof(*names));
    struct acc *accs = jsonata_alloc(x, cap * sizeof(*accs));
    struct acc at = {NULL, NULL, 0};
    for (size_t i = 0; i < g->ntu; i++) {
        struct jtuple *t = g->tu[i];
        acc_add(x, &at, t->at);
        for (size_t k = 0; k < t->n; k++) {
            size_t j;
            for (j = 0; j < nb; j++)
                if (!strcmp(names[j].name, t->b[k].name))
                    break;
            if (j == nb) {
                if (nb == cap) {
                    struct jbind *nn = jsonata_alloc(x, cap * 2 * sizeof(*nn));
                    struct acc *na = jsonata_alloc(x, cap * 2 * sizeof(*na));
                    memcpy(nn, names, nb * sizeof(*nn));
                    memcpy(na, accs, nb * sizeof(*na));
                    names = nn;
                    accs = na;
                    cap *= 2;
                }
                names[nb].name = t->b[k].name;
                memset(&accs[nb], 0, sizeof(accs[nb]));
                nb++;
            }
            acc_add(x, &accs[j], t->b[k].v);
        }
    }
    struct jtuple *r = tuple_new(x, acc_value(&at));
    r->b = names;
    r->n = nb;
    for (size_t j = 0; j < nb; j++)
        r->b[j].v = acc_value(&accs[j]);
    return r;
}

static struct jv *eval_group(struct jx *x, const struct jpair *pairs, size_t npairs,
                             size_t pos, struct jv *in, struct jframe *env)
{
    bool tuples = in && in->t == JV_TUPLES;
    size_t cnt;
    if (!tuples) {
        in = jsonata_as_array(x, in);
        cnt = in->u.a.n;
    } else {
        cnt = in->u.tu.n;
    }
    struct jv *index = jsonata_obj(x); /* key -> group number */
    struct group *groups = NULL;
    size_t ng = 0, capg = 0;
    for (size_t i = 0; i < (cnt ? cnt : 1); i++) {
        struct jv *item = NULL;
        struct jtuple *tu = NULL;
        struct jframe *fenv = env;
        if (cnt && tuples) {
            tu = in->u.tu.v[i];
            item = tu->at;
            fenv = frame_from_tuple(x, env, tu);
        } else if (cnt) {
            item = in->u.a.v[i];
        }
        for (size_t p = 0; p < npairs; p++) {
            struct jv *key = eval(x, pairs[p].key, item, fenv);
            if (!key)
                continue;
            if (key->t != JV_STR)
                jsonata_throw(
                    x, "T1003", pos,
                    "key in object structure must evaluate to a string; got: %s",
                    jsonata_describe(x, key));
            struct jv *gi = jsonata_obj_get(x, index, key->u.s.p, key->u.s.len);
            struct group *g;
            if (gi) {
                g = &groups[(size_t)gi->u.n];
                if (g->pair != p)
                    jsonata_throw(
                        x, "D1009", pos,
                        "multiple key definitions evaluate to same key: \"%.*s\"",
                        (int)key->u.s.len, key->u.s.p);
                if (tu) {
                    if (g->ntu == g->captu) {
                        size_t c = g->captu * 2;
                        struct jtuple **nt = jsonata_alloc(x, c * sizeof(*nt));
                        memcpy(nt, g->tu, g->ntu * sizeof(*nt));
                        g->tu = nt;
                        g->captu = c;
                    }
                    g->tu[g->ntu++] = tu;
                } else {
                    acc_add(x, &g->data, item);
                }
                continue;
            }
            if (ng == capg) {
                size_t c = capg ? capg * 2 : 8;
                struct group *nv = jsonata_alloc(x, c * sizeof(*nv));
                if (ng)
                    memcpy(nv, groups, ng * sizeof(*nv));
                groups = nv;
                capg = c;
            }
            g = &groups[ng];
            memset(g, 0, sizeof(*g));
            g->key = key->u.s.p;
            g->klen = key->u.s.len;
            g->pair = p;
            acc_add(x, &g->data, item);
            if (tu) {
                g->tu = jsonata_alloc(x, 4 * sizeof(*g->tu));
                g->captu = 4;
                g->tu[g->ntu++] = tu;
            }
            jsonata_obj_set(x, index, g->key, g->klen, jsonata_num(x, (double)ng));
            ng++;
        }
    }
    struct jv *result = jsonata_obj(x);
    for (size_t i = 0; i < ng; i++) {
        struct group *g = &groups[i];
        struct jv *ctx = acc_value(&g->data);
        struct jframe *fenv = env;
        if (tuples) {
            struct jtuple *t = reduce_tuples(x, g);
            ctx = t->at;
            fenv = frame_from_tuple(x, env, t);
        }
        struct jv *v = eval(x, pairs[g->pair].val, ctx, fenv);
        if (v)
            jsonata_obj_set(x, result, g->key, g->klen, v);
    }
    return result;
}

/* ---- Paths ------------------------------------------------------------------------- */

/* eval_step on a single input item: the same result without the gathering. */
static struct jv *step_one(struct jx *x, const struct jnode *step, struct jv *item,
                           struct jframe *env, bool last)
{
    struct jv *r = eval(x, step, item, env);
    for (size_t s = 0; s < step->nstages; s++)
        r = eval_filter(x, step->stages[s].expr, r, env);
    if (!r)
        return jsonata_seq(x, 0);
    if (last && r->t == JV_ARR && !(r->f & JVF_SEQ))
        return r;
    if (r->t != JV_ARR || (r->f & JVF_CONS)) {
        struct jv *out = jsonata_seq(x, 1);
        out->u.a.v[0] = r;
        out->u.a.n = 1;
        return out;
    }
    struct jv *out = jsonata_seq(x, r->u.a.n);
    if (r->u.a.n)
        memcpy(out->u.a.v, r->u.a.v, r->u.a.n * sizeof(*out->u.a.v));
    out->u.a.n = r->u.a.n;
    return out;
}

static struct jv *eval_step(struct jx *x, const struct jnode *step, struct jv *in,
                            struct jframe *env, bool last)
{
    if (step->type == N_SORT) {
        struct jv *r = eval_sort(x, step, in, env);
        return eval_stages(x, step->stages, step->nstages, r, env);
    }
    if (in->u.a.n == 1) /* the usual case: no results to gather first */
        return step_one(x, step, in->u.a.v[0], env, last);
    struct jv *tmp = jsonata_seq(x, in->u.a.n);
    for (size_t i = 0; i < in->u.a.n; i++) {
        struct jv *r = eval(x, step, in->u.a.v[i], env);
        for (size_t s = 0; s < step->nstages; s++)
            r = eval_filter(x, step->stages[s].expr, r, env);
        if (r)
            jsonata_push(x, tmp, r);
    }
    if (last && tmp->u.a.n == 1 && tmp->u.a.v[0]->t == JV_ARR &&
        !(tmp->u.a.v[0]->f & JVF_SEQ))
        return tmp->u.a.v[0];
    struct jv *out = jsonata_seq(x, tmp->u.a.n);
    for (size_t i = 0; i < tmp->u.a.n; i++) {
        struct jv *r = tmp->u.a.v[i];
        if (r->t != JV_ARR || (r->f & JVF_CONS)) {
            jsonata_push(x, out, r);
        } else {
            for (size_t j = 0; j < r->u.a.n; j++)
                jsonata_push(x, out, r->u.a.v[j]);
        }
    }
    return out;
}

static struct jv *tuple_step(struct jx *x, const struct jnode *step, struct jv *in,
                             struct jv *tb, struct jframe *env)
{
    if (step->type == N_SORT) {
        struct jv *r;
        if (tb) {
            r = eval_sort(x, step, tb, env);
        } else {
            struct jv *sorted = eval_sort(x, step, in, env);
            r = tuples_new(x, sorted->u.a.n);
            for (size_t i = 0; i < sorted->u.a.n; i++) {
                struct jtuple *t = tuple_new(x, sorted->u.a.v[i]);
                if (step->index) {
                    t = tuple_copy(x, t, 1);
                    tuple_set(t, step->index, jsonata_num(x, (double)i));
                }
                tuples_push(x, r, t);
            }
        }
        return eval_stages(x, step->stages, step->nstages, r, env);
    }
    if (!tb) {
        tb = tuples_new(x, in->u.a.n);
        for (size_t i = 0; i < in->u.a.n; i++)
            tuples_push(x, tb, tuple_new(x, in->u.a.v[i]));
    }
    struct jv *result = tuples_new(x, tb->u.tu.n);
    for (size_t e = 0; e < tb->u.tu.n; e++) {
        struct jtuple *t = tb->u.tu.v[e];
        struct jframe *fenv = frame_from_tuple(x, env, t);
        struct jv *res = eval(x, step, t->at, fenv);
        if (!res)
            continue;
        if (res->t == JV_TUPLES) {
            for (size_t b = 0; b < res->u.tu.n; b++) {
                struct jtuple *rt = res->u.tu.v[b];
                struct jtuple *nt = tuple_copy(x, t, rt->n);
                nt->at = rt->at;
                for (size_t k = 0; k < rt->n; k++)
                    tuple_set(nt, rt->b[k].name, rt->b[k].v);
                tuples_push(x, result, nt);
            }
            continue;
        }
        size_t cnt = res->t == JV_ARR ? res->u.a.n : 1;
        for (size_t b = 0; b < cnt; b++) {
            struct jv *v = res->t == JV_ARR ? res->u.a.v[b] : res;
            struct jtuple *nt = tuple_copy(x, t, 3);
            if (step->focus) {
                tuple_set(nt, step->focus, v);
                nt->at = t->at;
            } else {
                nt->at = v;
            }
            if (step->index)
                tuple_set(nt, step->index, jsonata_num(x, (double)b));
            if (step->ancestor)
                tuple_set(nt, step->ancestor->label, t->at);
            tuples_push(x, result, nt);
        }
    }
    return eval_stages(x, step->stages, step->nstages, result, env);
}

/* A step the direct walk can take: a plain field name, with constant indexes at most. */
static bool plain_step(const struct jnode *s)
{
    if (s->type != N_NAME || s->tuple || s->focus || s->index || s->ancestor ||
        s->keep_array || s->has_group || s->npreds || s->consarray)
        return false;
    for (size_t k = 0; k < s->nstages; k++)
        if (s->stages[k].is_index || s->stages[k].expr->type != N_NUMBER)
            return false;
    return true;
}

/*
 * The usual path, a.b[2].c over objects ($states.input.x in Step Functions), walked
 * directly: the value the general evaluation gives, without its sequences. Returns
 * false where that walk would meet a sequence (an array before the last step, a nested
 * array, a flagged array), having only read, so eval_path takes over. A walk is as
 * long as the path: it counts no steps against the budget.
 */
static bool walk_plain_path(struct jx *x, const struct jnode *n, struct jv *in,
                            struct jframe *env, struct jv **out)
{
    if (n->keep_singleton || n->has_group || n->tuple || n->keep_array)
        return false;
    size_t i = 0;
    struct jv *cur = in;
    const struct jnode *first = n->items[0];
    if (first->type == N_VARIABLE && first->slen && !first->nstages && !first->npreds &&
        !first->has_group && !first->keep_array && !first->tuple && !first->focus &&
        !first->index) {
        lookup_bi(x, env, first->str, first->bi ? first->bi : &unknown_bi, &cur);
        i = 1;
    }
    for (; i < n->nitems; i++) {
        const struct jnode *s = n->items[i];
        if (!cur || cur->t != JV_OBJ || !plain_step(s))
            return false;
        struct jv *v;
        size_t k = 0;
        if (!cur->u.o.p && s->nstages) {
            /* an input array indexed at once: convert the one item, not the array */
            json_t *raw = json_object_getn(cur->u.o.src, s->str, s->slen);
            if (json_is_array(raw)) {
                long at = norm_index(s->stages[0].expr->num, json_array_size(raw));
                raw = at < 0 ? NULL : json_array_get(raw, (size_t)at);
                if (json_is_array(raw))
                    return false;
                k = 1;
            }
            v = jsonata_from_json(x, raw, false);
        } else {
            v = jsonata_obj_get(x, cur, s->str, s->slen);
        }
        for (; v && k < s->nstages; k++) {
            bool arr = v->t == JV_ARR;
            if (arr && v->f)
                return false;
            long at = norm_index(s->stages[k].expr->num, arr ? v->u.a.n : 1);
            v = at < 0 ? NULL : arr ? v->u.a.v[at] : v;
            if (v && v->t == JV_ARR && arr)
                return false;
        }
        if (!v) {
            *out = NULL;
            return true;
        }
        cur = v;
    }
    if (cur && cur->t == JV_ARR && cur->f) /* a sequence: leave it to the general rules */
        return false;
    *out = cur;
    return true;
}

static struct jv *eval_path(struct jx *x, const struct jnode *n, struct jv *in,
                            struct jframe *env)
{
    struct jv *direct;
    if (walk_plain_path(x, n, in, env, &direct))
        return direct;
    struct jv *inseq;
    if (in && in->t == JV_ARR && n->items[0]->type != N_VARIABLE) {
        inseq = in;
    } else {
        inseq = jsonata_seq(x, 1);
        inseq->u.a.v[0] = in;
        inseq->u.a.n = 1;
    }
    struct jv *res = NULL, *tb = NULL;
    bool tuple = false;
    for (size_t i = 0; i < n->nitems; i++) {
        const struct jnode *step = n->items[i];
        if (step->tuple)
            tuple = true;
        if (i == 0 && step->consarray)
            res = eval(x, step, inseq, env);
        else if (tuple)
            tb = tuple_step(x, step, inseq, tb, env);
        else
            res = eval_step(x, step, inseq, env, i == n->nitems - 1);
        if (!tuple && (!res || (res->t == JV_ARR && res->u.a.n == 0)))
            break;
        if (!step->focus)
            inseq = res;
        if (inseq && inseq->t != JV_ARR) {
            struct jv *w = jsonata_seq(x, 1);
            jsonata_push(x, w, inseq);
            inseq = w;
        } else if (!inseq) {
            inseq = jsonata_seq(x, 0);
        }
    }
    if (tuple) {
        if (n->tuple) {
            res = tb;
        } else {
            res = jsonata_seq(x, tb ? tb->u.tu.n : 0);
            for (size_t i = 0; tb && i < tb->u.tu.n; i++)
                if (tb->u.tu.v[i]->at)
                    jsonata_push(x, res, tb->u.tu.v[i]->at);
        }
    }
    if (n->keep_singleton && res && res->t == JV_ARR) {
        if ((res->f & JVF_CONS) && !(res->f & JVF_SEQ)) {
            struct jv *w = jsonata_seq(x, 1);
            jsonata_push(x, w, res);
            res = w;
        }
        res->f |= JVF_KEEP;
    }
    if (n->has_group)
        res = eval_group(x, n->group, n->ngroup, n->group_pos, tuple ? tb : res, env);
    return res;
}

/* ---- Constructors ------------------------------------------------------------------ */

static struct jv *eval_array(struct jx *x, const struct jnode *n, struct jv *in,
                             struct jframe *env)
{
    struct jv *r = jsonata_arr(x, n->nitems);
    for (size_t i = 0; i < n->nitems; i++) {
        struct jv *v = eval(x, n->items[i], in, env);
        if (!v)
            continue;
        if (n->items[i]->type == N_ARRAY || v->t != JV_ARR) {
            jsonata_push(x, r, v);
        } else {
            for (size_t j = 0; j < v->u.a.n; j++)
                jsonata_push(x, r, v->u.a.v[j]);
        }
    }
    if (n->consarray)
        r->f |= JVF_CONS;
    return r;
}

/* ---- Functions --------------------------------------------------------------------- */

int jsonata_arity(const struct jv *fn)
{
    return fn && fn->t == JV_FUNC ? fn->u.fn->arity : 0;
}

static struct jv *make_lambda(struct jx *x, const struct jnode *n, struct jv *in,
                              struct jframe *env)
{
    struct jv *f = jsonata_fn(x, JF_LAMBDA);
    f->u.fn->node = n;
    f->u.fn->env = env;
    f->u.fn->input = in;
    f->u.fn->thunk = n->thunk;
    f->u.fn->arity = (int)n->nitems;
    return f;
}

static struct jv *apply_transform(struct jx *x, struct jfn *fn, struct jv *obj)
{
    const struct jnode *n = fn->node;
    if (!obj)
        return NULL;
    if (obj->t != JV_OBJ && obj->t != JV_ARR)
        jsonata_throw(
            x, "T0410", n->pos,
            "argument 1 of the transform expression must be an object or array");
    struct jv *result = jsonata_deep_clone(x, obj);
    struct jv *matches = eval(x, n->pattern, result, fn->env);
    if (!matches)
        return result;
    matches = jsonata_as_array(x, matches);
    for (size_t i = 0; i < matches->u.a.n; i++) {
        struct jv *m = matches->u.a.v[i];
        struct jv *upd = eval(x, n->update, m, fn->env);
        if (upd) {
            if (upd->t != JV_OBJ)
                jsonata_throw(x, "T2011", n->update->pos,
                              "the insert/update clause of the transform expression must "
                              "evaluate to an object: %s",
                              jsonata_describe(x, upd));
            const struct jobj *uo = jsonata_o(x, upd);
            if (m && m->t == JV_OBJ)
                for (size_t k = 0; k < uo->n; k++)
                    jsonata_obj_set(x, m, uo->kv[k].k, uo->kv[k].klen, uo->kv[k].v);
        }
        if (!n->del)
            continue;
        struct jv *del = eval(x, n->del, m, fn->env);
        if (!del)
            continue;
        struct jv *list = jsonata_as_array(x, del);
        for (size_t k = 0; k < list->u.a.n; k++)
            if (!list->u.a.v[k] || list->u.a.v[k]->t != JV_STR)
                jsonata_throw(
                    x, "T2012", n->del->pos,
                    "the delete clause of the transform expression must evaluate "
                    "to a string or array of strings: %s",
                    jsonata_describe(x, del));
        if (m && m->t == JV_OBJ)
            for (size_t k = 0; k < list->u.a.n; k++)
                jsonata_obj_del(x, m, list->u.a.v[k]->u.s.p, list->u.a.v[k]->u.s.len);
    }
    return result;
}

static struct jv *regex_call(struct jx *x, struct jv *re, struct jv *s)
{
    if (!s || s->t != JV_STR)
        return NULL;
    struct jsonata_match m;
    if (!jsonata_regex_exec(x, re, s->u.s.p, s->u.s.len, 0, &m))
        return NULL;
    struct jv *o = jsonata_obj(x);
    jsonata_obj_set(x, o, "match", 5,
                    jsonata_str(x, s->u.s.p + m.start, m.end - m.start));
    jsonata_obj_set(x, o, "start", 5,
                    jsonata_num(x, (double)jsonata_utf8_count(s->u.s.p, m.start)));
    jsonata_obj_set(x, o, "end", 3,
                    jsonata_num(x, (double)jsonata_utf8_count(s->u.s.p, m.end)));
    struct jv *groups = jsonata_arr(x, m.ngroups);
    for (size_t g = 0; g < m.ngroups; g++)
        jsonata_push(x, groups,
                     m.gs[g] == SIZE_MAX
                         ? jsonata_str(x, "", 0)
                         : jsonata_str(x, s->u.s.p + m.gs[g], m.ge[g] - m.gs[g]));
    jsonata_obj_set(x, o, "groups", 6, groups);
    return o;
}

static struct jv *apply_inner(struct jx *x, struct jv *fv, struct jv **args, size_t nargs,
                              struct jv *in, size_t pos)
{
    if (!fv || fv->t != JV_FUNC)
        jsonata_throw(x, "T1006", pos, "%s", T1006_MSG);
    struct jfn *fn = fv->u.fn;
    jsonata_step(x);
    switch (fn->k) {
    case JF_LAMBDA: {
        const struct jnode *n = fn->node;
        if (n->sig)
            args = jsonata_sig_validate(x, n->sig, NULL, args, nargs, in, pos, &nargs);
        struct jframe *f = frame_new(x, fn->env);
        for (size_t i = 0; i < n->nitems; i++)
            frame_bind(x, f, n->items[i]->str, i < nargs ? args[i] : NULL);
        return eval(x, n->body, fn->input, f);
    }
    case JF_BUILTIN: {
        const struct jsig *sig = jsonata_builtin_sig(fn->bi);
        struct jv **va =
            jsonata_sig_validate(x, sig, fn->bi->name, args, nargs, in, pos, &nargs);
        return fn->bi->fn(x, va, nargs, in, pos);
    }
    case JF_PARTIAL: {
        size_t total = fn->nargs, k = 0;
        struct jv **full = jsonata_alloc(x, (total + 1) * sizeof(*full));
        for (size_t i = 0; i < total; i++) {
            if (fn->args[i] == JSONATA_PLACEHOLDER)
                full[i] = k < nargs ? args[k++] : NULL;
            else
                full[i] = fn->args[i];
        }
        return jsonata_apply(x, fn->target, full, total, in, pos);
    }
    case JF_CHAIN: {
        struct jv *mid = jsonata_apply(x, fn->target, args, nargs, in, pos);
        return jsonata_apply(x, fn->second, &mid, 1, in, pos);
    }
    case JF_TRANSFORM:
        return apply_transform(x, fn, nargs ? args[0] : NULL);
    case JF_REGEX:
        return regex_call(x, fv, nargs ? args[0] : NULL);
    }
    return NULL;
}

struct jv *jsonata_apply(struct jx *x, struct jv *fn, struct jv **args, size_t nargs,
                         struct jv *in, size_t pos)
{
    struct jv *r = apply_inner(x, fn, args, nargs, in, pos);
    while (r && r->t == JV_FUNC && r->u.fn->thunk) {
        const struct jnode *call = r->u.fn->node->body;
        struct jframe *tenv = r->u.fn->env;
        struct jv *tin = r->u.fn->input;
        struct jv *next = eval(x, call->proc, tin, tenv);
        struct jv **a = jsonata_alloc(x, (call->nitems + 1) * sizeof(*a));
        for (size_t i = 0; i < call->nitems; i++)
            a[i] = eval(x, call->items[i], tin, tenv);
        r = apply_inner(x, next, a, call->nitems, in, call->pos);
    }
    return r;
}

static struct jv *eval_call(struct jx *x, const struct jnode *n, struct jv *in,
                            struct jframe *env, struct jv *applyto, bool has_applyto)
{
    struct jv *proc = eval(x, n->proc, in, env);
    if (!proc && n->proc->type == N_PATH && n->proc->items[0]->type == N_NAME) {
        struct jv *v;
        if (lookup(x, env, n->proc->items[0]->str, &v) && v)
            jsonata_throw(x, "T1005", n->pos,
                          "attempted to invoke a non-function; did you mean '$%s'?",
                          n->proc->items[0]->str);
    }
    size_t na = n->nitems + (has_applyto ? 1 : 0), k = 0;
    struct jv **args = jsonata_alloc(x, (na + 1) * sizeof(*args));
    if (has_applyto)
        args[k++] = applyto;
    for (size_t i = 0; i < n->nitems; i++)
        args[k++] = eval(x, n->items[i], in, env);
    x->cur_env = env;
    if (!proc || proc->t != JV_FUNC)
        jsonata_throw(x, "T1006", n->pos, "%s", T1006_MSG);
    return jsonata_apply(x, proc, args, na, in, n->pos);
}

static struct jv *eval_partial(struct jx *x, const struct jnode *n, struct jv *in,
                               struct jframe *env)
{
    struct jv **args = jsonata_alloc(x, (n->nitems + 1) * sizeof(*args));
    int holes = 0;
    for (size_t i = 0; i < n->nitems; i++) {
        if (n->items[i]->type == N_PLACEHOLDER) {
            args[i] = JSONATA_PLACEHOLDER;
            holes++;
        } else {
            args[i] = eval(x, n->items[i], in, env);
        }
    }
    struct jv *proc = eval(x, n->proc, in, env);
    if (!proc && n->proc->type == N_PATH && n->proc->items[0]->type == N_NAME) {
        struct jv *v;
        if (lookup(x, env, n->proc->items[0]->str, &v) && v)
            jsonata_throw(x, "T1007", n->pos,
                          "attempted to partially apply a non-function; did you mean "
                          "'$%s'?",
                          n->proc->items[0]->str);
    }
    if (!proc || proc->t != JV_FUNC)
        jsonata_throw(x, "T1008", n->pos, "attempted to partially apply a non-function");
    size_t total = n->nitems;
    int arity = jsonata_arity(proc);
    if (proc->u.fn->k == JF_LAMBDA || proc->u.fn->k == JF_BUILTIN) {
        /* parameters beyond those supplied are bound to undefined; extras dropped */
        if (proc->u.fn->k == JF_BUILTIN)
            arity = (int)jsonata_builtin_sig(proc->u.fn->bi)->n;
        total = (size_t)arity;
        struct jv **full = jsonata_alloc(x, (total + 1) * sizeof(*full));
        holes = 0;
        for (size_t i = 0; i < total; i++) {
            full[i] = i < n->nitems ? args[i] : NULL;
            if (full[i] == JSONATA_PLACEHOLDER)
                holes++;
        }
        args = full;
    }
    struct jv *f = jsonata_fn(x, JF_PARTIAL);
    f->u.fn->target = proc;
    f->u.fn->args = args;
    f->u.fn->nargs = total;
    f->u.fn->arity = holes;
    return f;
}

static struct jv *eval_apply(struct jx *x, const struct jnode *n, struct jv *in,
                             struct jframe *env)
{
    struct jv *l = eval(x, n->lhs, in, env);
    if (n->rhs->type == N_CALL)
        return eval_call(x, n->rhs, in, env, l, true);
    struct jv *f = eval(x, n->rhs, in, env);
    if (!f || f->t != JV_FUNC)
        jsonata_throw(x, "T2006", n->pos,
                      "the right side of the function application operator ~> must be a "
                      "function");
    if (l && l->t == JV_FUNC) {
        struct jv *c = jsonata_fn(x, JF_CHAIN);
        c->u.fn->target = l;
        c->u.fn->second = f;
        c->u.fn->arity = 1;
        return c;
    }
    return jsonata_apply(x, f, &l, 1, NULL, n->pos);
}

/* ---- The evaluator ----------------------------------------------------------------- */

static struct jv *eval_inner(struct jx *x, const struct jnode *n, struct jv *in,
                             struct jframe *env)
{
    struct jv *v;
    switch (n->type) {
    case N_PATH:
        return eval_path(x, n, in, env);
    case N_BINARY:
        return eval_binary(x, n, in, env);
    case N_NEG:
        v = eval(x, n->lhs, in, env);
        if (!v)
            return NULL;
        if (!numeric(x, v, n->pos))
            jsonata_throw(x, "D1002", n->pos, "cannot negate a non-numeric value: %s",
                          jsonata_describe(x, v));
        return jsonata_num(x, -v->u.n);
    case N_ARRAY:
        return eval_array(x, n, in, env);
    case N_OBJECT:
        return eval_group(x, n->pairs, n->npairs, n->pos, in, env);
    case N_NAME:
        return lookup_field(x, in, n->str, n->slen, 0);
    case N_STRING:
        return jsonata_str(x, n->str, n->slen);
    case N_NUMBER:
        return jsonata_num(x, n->num);
    case N_VALUE:
        return n->val == 0 ? &jsonata_false : n->val == 1 ? &jsonata_true : &jsonata_null;
    case N_WILDCARD:
        return eval_wildcard(x, in);
    case N_DESCENDANT:
        return eval_descendants(x, in);
    case N_PARENT:
        return jsonata_lookup_var(x, env, n->slot->label);
    case N_CONDITION:
        v = eval(x, n->cond, in, env);
        if (jsonata_truthy(x, v, NULL))
            return eval(x, n->then, in, env);
        return n->els ? eval(x, n->els, in, env) : NULL;
    case N_BLOCK: {
        struct jframe *f = frame_new(x, env);
        v = NULL;
        for (size_t i = 0; i < n->nitems; i++)
            v = eval(x, n->items[i], in, f);
        return v;
    }
    case N_BIND:
        v = eval(x, n->rhs, in, env);
        frame_bind(x, env, n->lhs->str, v);
        return v;
    case N_REGEX:
        v = jsonata_fn(x, JF_REGEX);
        v->u.fn->node = n;
        v->u.fn->arity = 1;
        return v;
    case N_CALL:
        return eval_call(x, n, in, env, NULL, false);
    case N_PARTIAL:
        return eval_partial(x, n, in, env);
    case N_VARIABLE:
        if (!n->slen)
            return in && in->t == JV_ARR && (in->f & JVF_OUTER) ? in->u.a.v[0] : in;
        lookup_bi(x, env, n->str, n->bi ? n->bi : &unknown_bi, &v);
        return v;
    case N_LAMBDA:
        return make_lambda(x, n, in, env);
    case N_APPLY:
        return eval_apply(x, n, in, env);
    case N_TRANSFORM:
        v = jsonata_fn(x, JF_TRANSFORM);
        v->u.fn->node = n;
        v->u.fn->env = env;
        v->u.fn->input = in;
        v->u.fn->arity = 1;
        return v;
    case N_SORT:
        return eval_sort(x, n, in, env);
    default:
        return NULL;
    }
}

static struct jv *eval(struct jx *x, const struct jnode *n, struct jv *in,
                       struct jframe *env)
{
    if (++x->depth > x->max_depth)
        jsonata_throw(x, "U1001", n->pos,
                      "stack overflow: check for non-terminating recursive function; "
                      "consider rewriting as tail-recursive");
    jsonata_step(x);
    struct jv *r = eval_inner(x, n, in, env);
    for (size_t i = 0; i < n->npreds; i++)
        r = eval_filter(x, n->preds[i].expr, r, env);
    if (n->type != N_PATH && n->has_group)
        r = eval_group(x, n->group, n->ngroup, n->group_pos, r, env);
    x->depth--;
    if (r && r->t == JV_ARR && (r->f & JVF_SEQ)) {
        if (n->keep_array)
            r->f |= JVF_KEEP;
        if (r->u.a.n == 0)
            return NULL;
        if (r->u.a.n == 1 && !(r->f & JVF_KEEP))
            return r->u.a.v[0];
    }
    return r;
}

struct jv *jsonata_eval_sub(struct jx *x, const struct jsonata *j, struct jv *input,
                            struct jframe *env)
{
    if (input && input->t == JV_ARR && !(input->f & JVF_SEQ)) {
        struct jv *w = jsonata_seq(x, 1);
        jsonata_push(x, w, input);
        w->f |= JVF_OUTER;
        input = w;
    }
    return eval(x, j->root, input, env ? env : x->root);
}

/* ---- Regex ------------------------------------------------------------------------- */

pcre2_match_data *jsonata_md(struct jx *x)
{
    if (!x->md) {
        x->md = pcre2_match_data_create(64, NULL);
        x->mctx = pcre2_match_context_create(NULL);
        if (!x->md || !x->mctx)
            BUG("out of memory");
        pcre2_set_match_limit(x->mctx, 10000000);
        pcre2_set_depth_limit(x->mctx, 100000);
    }
    return x->md;
}

bool jsonata_regex_exec(struct jx *x, const struct jv *re, const char *s, size_t len,
                        size_t from, struct jsonata_match *m)
{
    const pcre2_code *code = re->u.fn->node->re;
    jsonata_step(x);
    pcre2_match_data *md = jsonata_md(x);
    int rc = pcre2_match(code, (PCRE2_SPTR)s, len, from, 0, md, x->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    if (rc < 0)
        jsonata_throw(x, "D1004", re->u.fn->node->pos,
                      "the regular expression could not be matched (limit exceeded)");
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t cnt = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cnt);
    m->start = ov[0];
    m->end = ov[1];
    m->ngroups = cnt < 20 ? cnt : 20;
    for (size_t g = 0; g < m->ngroups; g++) {
        if ((int)(g + 1) < rc && ov[2 * (g + 1)] != PCRE2_UNSET) {
            m->gs[g] = ov[2 * (g + 1)];
            m->ge[g] = ov[2 * (g + 1) + 1];
        } else {
            m->gs[g] = SIZE_MAX;
            m->ge[g] = SIZE_MAX;
        }
    }
    return true;
}

/* ---- Public API -------------------------------------------------------------------- */

struct jsonata *jsonata_compile(const char *text, size_t len, struct jsonata_err *err)
{
    struct jsonata *j = xcalloc(1, sizeof(*j));
    j->text = xstrndup(text, len);
    j->len = len;
    j->root = jsonata_parse(j, err);
    if (!j->root) {
        jsonata_free(j);
        return NULL;
    }
    return j;
}

void jsonata_free(struct jsonata *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nres; i++)
        pcre2_code_free(j->res[i]);
    for (size_t i = 0; i < JSONATA_PIC_SLOTS; i++)
        jsonata_dt_pic_free(atomic_load(&j->pics[i]));
    free(j->res);
    jsonata_arena_release(&j->arena);
    free(j->text);
    free(j);
}

const char *jsonata_text(const struct jsonata *j)
{
    return j->text;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t jsonata_rand64(struct jx *x)
{
    if (x->env->rng)
        return intr_rng_next(x->env->rng);
    return splitmix(&x->rng_state);
}

/*
 * One evaluation state (with its PCRE2 match data and the arena's first block) is kept
 * for the next evaluation: a short evaluation then costs no malloc but its result's.
 * One slot for the process, taken and given back atomically, so threads never share.
 */
static _Atomic(struct jx *) spare_jx;

static struct jx *jx_acquire(void)
{
    struct jx *x = atomic_exchange(&spare_jx, NULL);
    if (!x)
        return xcalloc(1, sizeof(struct jx));
    struct jsonata_arena arena = x->arena;
    pcre2_match_data *md = x->md;
    pcre2_match_context *mctx = x->mctx;
    memset(x, 0, sizeof(*x));
    x->arena = arena;
    x->md = md;
    x->mctx = mctx;
    return x;
}

static void jx_free(struct jx *x)
{
    pcre2_match_data_free(x->md);
    pcre2_match_context_free(x->mctx);
    jsonata_arena_release(&x->arena);
    free(x);
}

static void jx_release(struct jx *x)
{
    jsonata_arena_reset(&x->arena);
    x = atomic_exchange(&spare_jx, x);
    if (x)
        jx_free(x);
}

int jsonata_eval(const struct jsonata *j, const struct jsonata_env *env, json_t **out,
                 struct jsonata_err *err)
{
    static const struct jsonata_env empty;
    struct jx *volatile xp = jx_acquire();
    struct jx *x = xp;
    int rc = 0;
    *out = NULL;
    x->prog = j;
    x->env = env ? env : &empty;
    x->err = err;
    x->aws = x->env->mode == JSONATA_AWS;
    x->max_depth = x->env->max_depth ? x->env->max_depth : DEFAULT_DEPTH;
    if (x->max_depth > MAX_DEPTH)
        x->max_depth = MAX_DEPTH;
    x->max_steps = x->env->max_steps ? x->env->max_steps : DEFAULT_STEPS;
    x->arena.limit = x->env->max_bytes ? x->env->max_bytes : DEFAULT_BYTES;
    x->now_ms = x->env->now_ms;
    x->rng_state = 0x5DEECE66DULL;
    if (setjmp(x->jb)) {
        x = xp;
        json_decref(*out);
        *out = NULL;
        rc = -1;
        goto done;
    }
    struct jframe *bindings = frame_new(x, NULL);
    struct jv *in = NULL;
    if (!x->aws && x->env->input) {
        in = jsonata_from_json(x, x->env->input, false);
        if (in && in->t == JV_ARR) {
            struct jv *w = jsonata_seq(x, 1);
            jsonata_push(x, w, in);
            w->f |= JVF_OUTER;
            in = w;
        }
        frame_bind(x, bindings, "$", in);
    }
    x->root = frame_new(x, bindings);
    struct jv *r = eval(x, j->root, in, x->root);
    if (r && r->t == JV_FUNC) {
        rc = JSONATA_FUNCTION;
    } else if (r && r->t == JV_TUPLES) {
        struct jv *s = jsonata_seq(x, r->u.tu.n);
        for (size_t i = 0; i < r->u.tu.n; i++)
            jsonata_push(x, s, r->u.tu.v[i]->at);
        *out = jsonata_to_json(x, s);
    } else {
        *out = jsonata_to_json(x, r);
    }
done:
    for (size_t i = 0; i < x->nsubs; i++)
        jsonata_free(x->subs[i]);
    free(x->subs);
    jx_release(x);
    return rc;
}

/* ---- AWS top-level check ----------------------------------------------------------- */

/* Walks nodes evaluated against the top-level context; returns the first name found. */
static const struct jnode *top_ref(const struct jnode *n, bool top)
{
    if (!n)
        return NULL;
    const struct jnode *r;
    switch (n->type) {
    case N_PATH:
        for (size_t i = 0; i < n->nitems; i++) {
            const struct jnode *s = n->items[i];
            if ((r = top_ref(s, top && i == 0)))
                return r;
            for (size_t k = 0; k < s->nstages; k++)
                if (s->stages[k].expr && (r = top_ref(s->stages[k].expr, false)))
                    return r;
            if (s->type == N_SORT)
                for (size_t k = 0; k < s->nterms; k++)
                    if ((r = top_ref(s->terms[k].expr, false)))
                        return r;
        }
        return NULL;
    case N_NAME:
    case N_WILDCARD:
    case N_DESCENDANT:
        return top ? n : NULL;
    case N_VARIABLE:
        return top && n->slen == 1 && n->str[0] == '$' ? n : NULL;
    case N_BINARY:
    case N_APPLY:
        if ((r = top_ref(n->lhs, top)))
            return r;
        return top_ref(n->rhs, top);
    case N_NEG:
        return top_ref(n->lhs, top);
    case N_BIND:
        return top_ref(n->rhs, top);
    case N_CONDITION:
        if ((r = top_ref(n->cond, top)) || (r = top_ref(n->then, top)))
            return r;
        return top_ref(n->els, top);
    case N_BLOCK:
    case N_ARRAY:
    case N_CALL:
    case N_PARTIAL:
        for (size_t i = 0; i < n->nitems; i++)
            if ((r = top_ref(n->items[i], top)))
                return r;
        if (n->type == N_CALL || n->type == N_PARTIAL)
            return top_ref(n->proc, top);
        return NULL;
    case N_OBJECT:
        for (size_t i = 0; i < n->npairs; i++)
            if ((r = top_ref(n->pairs[i].key, top)) ||
                (r = top_ref(n->pairs[i].val, top)))
                return r;
        return NULL;
    case N_LAMBDA:
        return top_ref(n->body, top);
    default:
        return NULL;
    }
}

/* Finds a ?: or ?? operator anywhere in the tree. */
static const struct jnode *find_v21(const struct jnode *n)
{
    const struct jnode *r = NULL;
    if (!n)
        return NULL;
    if (n->v21)
        return n;
    const struct jnode *kids[] = {n->lhs,  n->rhs,  n->cond,    n->then,   n->els,
                                  n->body, n->proc, n->pattern, n->update, n->del};
    for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]) && !r; i++)
        r = find_v21(kids[i]);
    for (size_t i = 0; i < n->nitems && !r; i++)
        r = find_v21(n->items[i]);
    for (size_t i = 0; i < n->npairs && !r; i++)
        if (!(r = find_v21(n->pairs[i].key)))
            r = find_v21(n->pairs[i].val);
    for (size_t i = 0; i < n->ngroup && !r; i++)
        if (!(r = find_v21(n->group[i].key)))
            r = find_v21(n->group[i].val);
    for (size_t i = 0; i < n->nterms && !r; i++)
        r = find_v21(n->terms[i].expr);
    for (size_t i = 0; i < n->nstages && !r; i++)
        r = find_v21(n->stages[i].expr);
    for (size_t i = 0; i < n->npreds && !r; i++)
        r = find_v21(n->preds[i].expr);
    return r;
}

int jsonata_check_aws(const struct jsonata *j, struct jsonata_err *err)
{
    const struct jnode *r = find_v21(j->root);
    if (r) {
        jsonata_set_err(
            err, "S0902", r->pos,
            "the ?: and ?? operators are JSONata 2.1; Step Functions runs 2.0 "
            "and reports them unsupported");
        return -1;
    }
    r = top_ref(j->root, true);
    if (!r)
        return 0;
    if (r->type == N_VARIABLE)
        jsonata_set_err(err, "S0901", r->pos, "reference to '$$' is not supported");
    else if (r->type == N_NAME)
        jsonata_set_err(err, "S0901", r->pos,
                        "reference to '%s' at the top level is not supported", r->str);
    else
        jsonata_set_err(
            err, "S0901", r->pos,
            "reference to the context item at the top level is not supported");
    return -1;
}
