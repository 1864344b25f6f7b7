/*
 * JSONata parser: a Pratt (top-down operator precedence) parser over jsonata_lex.c's
 * tokens, then a rewriting pass that turns '.' chains into path nodes with steps, hangs
 * predicates, grouping, order-by and @/# bindings on their steps, resolves the % parent
 * operator to ancestor slots, and marks lambda bodies for tail calls. Function
 * signatures ("<s-n?:s>") are compiled here into PCRE2 patterns over type letters.
 */
#include "interp/jsonata_int.h"

#include "base/xalloc.h"

#include <string.h>

struct parser {
    struct jsonata *j;
    struct jlex lex;
    struct jtok tok;
    bool operand_end; /* the previous token ends an operand: '/' divides */
    struct jsonata_err *err;
    jmp_buf jb;
    int labels;
    size_t slots;
    unsigned depth;
};

#define MAX_NESTING 2000

_Noreturn static void perr(struct parser *p, const char *code, size_t pos,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void perr(struct parser *p, const char *code, size_t pos, const char *fmt, ...)
{
    if (p->err) {
        va_list ap;
        va_start(ap, fmt);
        snprintf(p->err->code, sizeof(p->err->code), "%s", code);
        p->err->offset = pos;
        vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
        va_end(ap);
    }
    longjmp(p->jb, 1);
}

static void *palloc(struct parser *p, size_t n)
{
    void *v = jsonata_arena_alloc(&p->j->arena, n);
    memset(v, 0, n);
    return v;
}

static struct jnode *node(struct parser *p, enum jnode_type type, size_t pos)
{
    struct jnode *n = palloc(p, sizeof(*n));
    n->type = type;
    n->pos = pos;
    return n;
}

static void push_node(struct parser *p, struct jnode ***v, size_t *n, struct jnode *x)
{
    struct jnode **nv = palloc(p, (*n + 1) * sizeof(*nv));
    if (*n)
        memcpy(nv, *v, *n * sizeof(*nv));
    nv[(*n)++] = x;
    *v = nv;
}

static void keep_res(struct jsonata *j, pcre2_code *re)
{
    VEC_GROW(j->res, j->nres + 1, j->capres);
    j->res[j->nres++] = re;
}

/* ---- Tokens ------------------------------------------------------------------------ */

static const char *tok_text(struct parser *p, const struct jtok *t)
{
    switch (t->type) {
    case T_END:
        return "(end)";
    case T_OP:
        return t->op;
    case T_NUM:
        return "number";
    case T_REGEX:
        return "regex";
    case T_VALUE:
        return t->val == 0 ? "false" : t->val == 1 ? "true" : "null";
    default:
        (void)p;
        return t->s;
    }
}

static bool is_op(const struct jtok *t, const char *op)
{
    return t->type == T_OP && !strcmp(t->op, op);
}

static void next(struct parser *p)
{
    bool operand = !p->operand_end;
    if (jsonata_lex_next(&p->lex, operand, &p->tok, p->err))
        longjmp(p->jb, 1);
    const struct jtok *t = &p->tok;
    if (t->type == T_OP && (!strcmp(t->op, "!") || !strcmp(t->op, "~")))
        perr(p, "S0204", t->pos, "unknown operator: '%s'", t->op);
    p->operand_end = t->type == T_NAME || t->type == T_VAR || t->type == T_STR ||
                     t->type == T_NUM || t->type == T_VALUE || t->type == T_REGEX ||
                     is_op(t, ")") || is_op(t, "]") || is_op(t, "}");
}

static void expect(struct parser *p, const char *op)
{
    if (!is_op(&p->tok, op)) {
        if (p->tok.type == T_END)
            perr(p, "S0203", p->tok.pos, "expected '%s' before the end of the expression",
                 op);
        perr(p, "S0202", p->tok.pos, "expected '%s', got '%s'", op, tok_text(p, &p->tok));
    }
    next(p);
}

static int lbp(const struct jtok *t)
{
    static const struct {
        const char *op;
        int bp;
    } table[] = {{".", 75},  {"[", 80},  {"{", 70},  {"(", 80},  {"@", 80},  {"#", 80},
                 {"?", 20},  {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},
                 {"=", 40},  {"<", 40},  {">", 40},  {"^", 40},  {":=", 10}, {"!=", 40},
                 {"<=", 40}, {">=", 40}, {"~>", 40}, {"?:", 40}, {"??", 40}, {"and", 30},
                 {"or", 25}, {"in", 40}, {"&", 50}};
    if (t->type != T_OP)
        return 0;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (!strcmp(table[i].op, t->op))
            return table[i].bp;
    return 0;
}

/* ---- Pratt parser ------------------------------------------------------------------ */

static struct jnode *expression(struct parser *p, int rbp);

static void parse_pairs(struct parser *p, struct jpair **pairs, size_t *n)
{
    size_t cap = 0;
    *pairs = NULL;
    *n = 0;
    if (!is_op(&p->tok, "}")) {
        for (;;) {
            struct jnode *k = expression(p, 0);
            expect(p, ":");
            struct jnode *v = expression(p, 0);
            if (*n == cap) {
                cap = cap ? cap * 2 : 4;
                struct jpair *np = palloc(p, cap * sizeof(*np));
                if (*n)
                    memcpy(np, *pairs, *n * sizeof(*np));
                *pairs = np;
            }
            (*pairs)[*n].key = k;
            (*pairs)[(*n)++].val = v;
            if (!is_op(&p->tok, ","))
                break;
            next(p);
        }
    }
    expect(p, "}");
}

static struct jnode *nud_op(struct parser *p, struct jtok t)
{
    struct jnode *n;
    const char *op = t.op;
    if (!strcmp(op, "-")) {
        n = node(p, N_NEG, t.pos);
        n->lhs = expression(p, 70);
        return n;
    }
    if (!strcmp(op, "*"))
        return node(p, N_WILDCARD, t.pos);
    if (!strcmp(op, "**"))
        return node(p, N_DESCENDANT, t.pos);
    if (!strcmp(op, "%"))
        return node(p, N_PARENT, t.pos);
    if (!strcmp(op, "and") || !strcmp(op, "or") || !strcmp(op, "in")) {
        n = node(p, N_OPERATOR, t.pos);
        n->str = op;
        n->slen = strlen(op);
        return n;
    }
    if (!strcmp(op, "(")) {
        n = node(p, N_BLOCK, t.pos);
        while (!is_op(&p->tok, ")")) {
            push_node(p, &n->items, &n->nitems, expression(p, 0));
            if (!is_op(&p->tok, ";"))
                break;
            next(p);
        }
        expect(p, ")");
        return n;
    }
    if (!strcmp(op, "[")) {
        n = node(p, N_ARRAY, t.pos);
        if (!is_op(&p->tok, "]")) {
            for (;;) {
                struct jnode *item = expression(p, 0);
                if (is_op(&p->tok, "..")) {
                    struct jnode *r = node(p, N_BINARY, p->tok.pos);
                    r->op = OP_RANGE;
                    r->lhs = item;
                    next(p);
                    r->rhs = expression(p, 0);
                    item = r;
                }
                push_node(p, &n->items, &n->nitems, item);
                if (!is_op(&p->tok, ","))
                    break;
                next(p);
            }
        }
        expect(p, "]");
        return n;
    }
    if (!strcmp(op, "{")) {
        n = node(p, N_OBJECT, t.pos);
        parse_pairs(p, &n->pairs, &n->npairs);
        return n;
    }
    if (!strcmp(op, "|")) {
        n = node(p, N_TRANSFORM, t.pos);
        n->pattern = expression(p, 0);
        expect(p, "|");
        n->update = expression(p, 0);
        if (is_op(&p->tok, ",")) {
            next(p);
            n->del = expression(p, 0);
        }
        expect(p, "|");
        return n;
    }
    perr(p, "S0211", t.pos, "the symbol '%s' cannot be used as a unary operator", op);
}

static struct jnode *nud(struct parser *p, struct jtok t)
{
    struct jnode *n = NULL;
    switch (t.type) {
    case T_END:
        perr(p, "S0207", t.pos, "unexpected end of expression");
    case T_OP:
        return nud_op(p, t);
    case T_NAME:
        n = node(p, N_NAME, t.pos);
        break;
    case T_VAR:
        n = node(p, N_VARIABLE, t.pos);
        break;
    case T_STR:
        n = node(p, N_STRING, t.pos);
        break;
    case T_NUM:
        n = node(p, N_NUMBER, t.pos);
        n->num = t.num;
        return n;
    case T_VALUE:
        n = node(p, N_VALUE, t.pos);
        n->val = t.val;
        return n;
    case T_REGEX: {
        n = node(p, N_REGEX, t.pos);
        int ec;
        PCRE2_SIZE eo;
        n->re = pcre2_compile((PCRE2_SPTR)t.s, t.slen,
                              (uint32_t)t.re_flags | PCRE2_UTF | PCRE2_ALT_BSUX |
                                  PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF,
                              &ec, &eo, NULL);
        if (!n->re) {
            PCRE2_UCHAR msg[120];
            pcre2_get_error_message(ec, msg, sizeof(msg));
            perr(p, "S0303", t.pos + 1 + eo, "invalid regular expression: %s",
                 (char *)msg);
        }
        keep_res(p->j, n->re);
        n->str = jsonata_arena_alloc(&p->j->arena, t.slen + 1);
        memcpy((char *)n->str, t.s, t.slen);
        ((char *)n->str)[t.slen] = '\0';
        n->slen = t.slen;
        return n;
    }
    }
    n->str = t.s;
    n->slen = t.slen;
    if (n->type == N_VARIABLE && n->slen)
        n->bi = jsonata_builtin_find(n->str);
    return n;
}

/* Parses "<...>" after a lambda's parameter list, at the character level. */
static void lambda_signature(struct parser *p, struct jnode *n)
{
    size_t start = p->tok.pos, i = start;
    int depth = 0;
    char *buf = palloc(p, p->lex.len - start + 1);
    size_t bn = 0;
    for (; i < p->lex.len; i++) {
        char c = p->lex.src[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        buf[bn++] = c;
        if (c == '<')
            depth++;
        else if (c == '>' && --depth == 0)
            break;
        else if (c == '{')
            break;
    }
    if (depth != 0 || i >= p->lex.len)
        perr(p, "S0202", i, "expected '>' to close the function signature");
    n->sig = palloc(p, sizeof(*n->sig));
    struct jsonata_err e;
    if (jsonata_sig_parse(p->j, buf, bn, n->sig, &e))
        perr(p, e.code, start + e.offset, "%s", e.msg);
    p->lex.pos = i + 1;
    p->operand_end = true;
    next(p);
}

static struct jnode *led_call(struct parser *p, struct jtok t, struct jnode *left)
{
    struct jnode *n = node(p, N_CALL, t.pos);
    n->proc = left;
    if (!is_op(&p->tok, ")")) {
        for (;;) {
            if (is_op(&p->tok, "?")) {
                n->type = N_PARTIAL;
                push_node(p, &n->items, &n->nitems, node(p, N_PLACEHOLDER, p->tok.pos));
                next(p);
            } else {
                push_node(p, &n->items, &n->nitems, expression(p, 0));
            }
            if (!is_op(&p->tok, ","))
                break;
            next(p);
        }
    }
    expect(p, ")");
    if (left->type == N_NAME &&
        (!strcmp(left->str, "function") || !strcmp(left->str, "\xce\xbb"))) {
        for (size_t i = 0; i < n->nitems; i++)
            if (n->items[i]->type != N_VARIABLE)
                perr(p, "S0208", n->items[i]->pos,
                     "parameter %zu of the function definition must be a variable name "
                     "(start with $)",
                     i + 1);
        n->type = N_LAMBDA;
        if (is_op(&p->tok, "<"))
            lambda_signature(p, n);
        expect(p, "{");
        n->body = expression(p, 0);
        expect(p, "}");
    }
    return n;
}

static struct jnode *led(struct parser *p, struct jtok t, struct jnode *left)
{
    const char *op = t.op;
    struct jnode *n;
    if (!strcmp(op, "("))
        return led_call(p, t, left);
    if (!strcmp(op, "[")) {
        if (is_op(&p->tok, "]")) {
            struct jnode *step = left;
            while (step && step->type == N_PRED)
                step = step->lhs;
            step->keep_array = true;
            next(p);
            return left;
        }
        n = node(p, N_PRED, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 0);
        expect(p, "]");
        return n;
    }
    if (!strcmp(op, "{")) {
        n = node(p, N_GROUPBY, t.pos);
        n->lhs = left;
        parse_pairs(p, &n->pairs, &n->npairs);
        return n;
    }
    if (!strcmp(op, "^")) {
        n = node(p, N_ORDERBY, t.pos);
        n->lhs = left;
        expect(p, "(");
        size_t cap = 0;
        for (;;) {
            bool desc = false;
            if (is_op(&p->tok, "<")) {
                next(p);
            } else if (is_op(&p->tok, ">")) {
                desc = true;
                next(p);
            }
            struct jnode *e = expression(p, 0);
            if (n->nterms == cap) {
                cap = cap ? cap * 2 : 4;
                struct jsortterm *nt = palloc(p, cap * sizeof(*nt));
                if (n->nterms)
                    memcpy(nt, n->terms, n->nterms * sizeof(*nt));
                n->terms = nt;
            }
            n->terms[n->nterms].expr = e;
            n->terms[n->nterms++].desc = desc;
            if (!is_op(&p->tok, ","))
                break;
            next(p);
        }
        expect(p, ")");
        return n;
    }
    if (!strcmp(op, ":=")) {
        if (left->type != N_VARIABLE)
            perr(p, "S0212", t.pos,
                 "the left side of := must be a variable name (start with $)");
        n = node(p, N_BIND, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 9);
        return n;
    }
    if (!strcmp(op, "@") || !strcmp(op, "#")) {
        n = node(p, op[0] == '@' ? N_FOCUS : N_INDEX, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 80);
        if (n->rhs->type != N_VARIABLE)
            perr(p, "S0214", n->rhs->pos,
                 "the right side of %s must be a variable name (start with $)", op);
        return n;
    }
    if (!strcmp(op, "?")) {
        n = node(p, N_CONDITION, t.pos);
        n->cond = left;
        n->then = expression(p, 0);
        if (is_op(&p->tok, ":")) {
            next(p);
            n->els = expression(p, 0);
        }
        return n;
    }
    if (!strcmp(op, "?:") || !strcmp(op, "??")) {
        n = node(p, N_CONDITION, t.pos);
        n->v21 = true;
        n->then = left;
        n->els = expression(p, 40);
        if (op[1] == ':') {
            n->cond = left;
        } else {
            struct jnode *call = node(p, N_CALL, t.pos);
            call->proc = node(p, N_VARIABLE, t.pos);
            call->proc->str = "exists";
            call->proc->slen = 6;
            call->proc->bi = jsonata_builtin_find("exists");
            push_node(p, &call->items, &call->nitems, left);
            n->cond = call;
        }
        return n;
    }
    if (!strcmp(op, ".")) {
        n = node(p, N_DOT, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 75);
        return n;
    }
    static const struct {
        const char *op;
        enum jop id;
    } binops[] = {{"+", OP_ADD},   {"-", OP_SUB}, {"*", OP_MUL}, {"/", OP_DIV},
                  {"%", OP_MOD},   {"=", OP_EQ},  {"!=", OP_NE}, {"<", OP_LT},
                  {"<=", OP_LE},   {">", OP_GT},  {">=", OP_GE}, {"&", OP_CONCAT},
                  {"and", OP_AND}, {"or", OP_OR}, {"in", OP_IN}};
    if (!strcmp(op, "~>")) {
        n = node(p, N_APPLY, t.pos);
        n->lhs = left;
        n->rhs = expression(p, 40);
        return n;
    }
    for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
        if (!strcmp(binops[i].op, op)) {
            n = node(p, N_BINARY, t.pos);
            n->op = binops[i].id;
            n->lhs = left;
            n->rhs = expression(p, lbp(&t));
            return n;
        }
    perr(p, "S0201", t.pos, "syntax error: '%s'", op);
}

static struct jnode *expression(struct parser *p, int rbp)
{
    struct jtok t = p->tok;
    if (++p->depth > MAX_NESTING)
        perr(p, "S0201", t.pos, "the expression is nested too deeply");
    next(p);
    struct jnode *left = nud(p, t);
    while (rbp < lbp(&p->tok)) {
        t = p->tok;
        next(p);
        left = led(p, t, left);
    }
    p->depth--;
    return left;
}

/* ---- AST rewriting ----------------------------------------------------------------- */

static struct jnode *process(struct parser *p, struct jnode *e);
static struct jnode *process_node(struct parser *p, struct jnode *e);

static void add_slot(struct parser *p, struct jnode *n, struct jslot *s)
{
    for (size_t i = 0; i < n->nseeking; i++)
        if (n->seeking[i] == s)
            return;
    struct jslot **nv = palloc(p, (n->nseeking + 1) * sizeof(*nv));
    if (n->nseeking)
        memcpy(nv, n->seeking, n->nseeking * sizeof(*nv));
    nv[n->nseeking++] = s;
    n->seeking = nv;
}

static void push_ancestry(struct parser *p, struct jnode *result, struct jnode *value)
{
    if (!value)
        return;
    for (size_t i = 0; i < value->nseeking; i++)
        add_slot(p, result, value->seeking[i]);
    if (value->type == N_PARENT)
        add_slot(p, result, value->slot);
}

static void seek_parent(struct parser *p, struct jnode *n, struct jslot *slot)
{
    switch (n->type) {
    case N_NAME:
    case N_WILDCARD:
        slot->level--;
        if (slot->level == 0) {
            if (n->ancestor)
                memcpy(slot->label, n->ancestor->label, sizeof(slot->label));
            n->ancestor = slot;
            n->tuple = true;
        }
        break;
    case N_PARENT:
        slot->level++;
        break;
    case N_BLOCK:
        if (n->nitems) {
            n->tuple = true;
            seek_parent(p, n->items[n->nitems - 1], slot);
        }
        break;
    case N_PATH: {
        n->tuple = true;
        size_t i = n->nitems;
        seek_parent(p, n->items[--i], slot);
        while (slot->level > 0 && i > 0)
            seek_parent(p, n->items[--i], slot);
        break;
    }
    default:
        perr(p, "S0217", n->pos, "the parent of this expression cannot be derived");
    }
}

static void resolve_ancestry(struct parser *p, struct jnode *path)
{
    struct jnode *last = path->items[path->nitems - 1];
    size_t nslots = last->nseeking + (last->type == N_PARENT);
    struct jslot **slots = palloc(p, (nslots + 1) * sizeof(*slots));
    if (last->nseeking)
        memcpy(slots, last->seeking, last->nseeking * sizeof(*slots));
    if (last->type == N_PARENT)
        slots[last->nseeking] = last->slot;
    for (size_t is = 0; is < nslots; is++) {
        struct jslot *slot = slots[is];
        long index = (long)path->nitems - 2;
        while (slot->level > 0) {
            if (index < 0) {
                add_slot(p, path, slot);
                break;
            }
            struct jnode *step = path->items[index--];
            while (index >= 0 && step->focus && path->items[index]->focus)
                step = path->items[index--];
            seek_parent(p, step, slot);
        }
    }
}

static void add_stage(struct parser *p, struct jstage **v, size_t *n, struct jstage st)
{
    struct jstage *nv = palloc(p, (*n + 1) * sizeof(*nv));
    if (*n)
        memcpy(nv, *v, *n * sizeof(*nv));
    nv[(*n)++] = st;
    *v = nv;
}

static struct jnode *as_path(struct parser *p, struct jnode *n)
{
    if (n->type == N_PATH)
        return n;
    struct jnode *path = node(p, N_PATH, n->pos);
    push_node(p, &path->items, &path->nitems, n);
    return path;
}

static struct jnode *tail_call(struct parser *p, struct jnode *e)
{
    if (e->type == N_CALL && !e->npreds) {
        struct jnode *thunk = node(p, N_LAMBDA, e->pos);
        thunk->thunk = true;
        thunk->body = e;
        return thunk;
    }
    if (e->type == N_CONDITION) {
        e->then = tail_call(p, e->then);
        if (e->els)
            e->els = tail_call(p, e->els);
    } else if (e->type == N_BLOCK && e->nitems) {
        e->items[e->nitems - 1] = tail_call(p, e->items[e->nitems - 1]);
    }
    return e;
}

static struct jnode *process_dot(struct parser *p, struct jnode *e)
{
    struct jnode *lstep = process(p, e->lhs);
    struct jnode *result = as_path(p, lstep);
    if (lstep->type == N_PARENT)
        add_slot(p, result, lstep->slot);
    struct jnode *rest = process(p, e->rhs);
    if (rest->type == N_PATH) {
        for (size_t i = 0; i < rest->nitems; i++)
            push_node(p, &result->items, &result->nitems, rest->items[i]);
    } else {
        if (rest->npreds) {
            rest->stages = rest->preds;
            rest->nstages = rest->npreds;
            rest->preds = NULL;
            rest->npreds = 0;
        }
        push_node(p, &result->items, &result->nitems, rest);
    }
    for (size_t i = 0; i < result->nitems; i++) {
        struct jnode *s = result->items[i];
        if (s->type == N_NUMBER || s->type == N_VALUE)
            perr(p, "S0213", s->pos,
                 "the literal value cannot be used as a step within a path expression");
        if (s->type == N_STRING)
            s->type = N_NAME;
        if (s->keep_array)
            result->keep_singleton = true;
    }
    if (result->items[0]->type == N_ARRAY)
        result->items[0]->consarray = true;
    if (result->items[result->nitems - 1]->type == N_ARRAY)
        result->items[result->nitems - 1]->consarray = true;
    resolve_ancestry(p, result);
    return result;
}

static struct jnode *process_pred(struct parser *p, struct jnode *e)
{
    struct jnode *result = process(p, e->lhs), *step = result;
    bool stages = false;
    if (result->type == N_PATH) {
        step = result->items[result->nitems - 1];
        stages = true;
    }
    if (step->has_group)
        perr(p, "S0209", e->pos,
             "a predicate cannot follow a grouping expression in a step");
    struct jnode *pred = process(p, e->rhs);
    for (size_t i = 0; i < pred->nseeking; i++) {
        struct jslot *slot = pred->seeking[i];
        if (slot->level == 1)
            seek_parent(p, step, slot);
        else
            slot->level--;
    }
    push_ancestry(p, step, pred);
    struct jstage st = {false, NULL, pred, e->pos};
    if (stages)
        add_stage(p, &step->stages, &step->nstages, st);
    else
        add_stage(p, &step->preds, &step->npreds, st);
    return result;
}

static struct jpair *process_pairs(struct parser *p, struct jnode *owner,
                                   struct jpair *in, size_t n)
{
    struct jpair *out = palloc(p, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        out[i].key = process(p, in[i].key);
        push_ancestry(p, owner, out[i].key);
        out[i].val = process(p, in[i].val);
        push_ancestry(p, owner, out[i].val);
    }
    return out;
}

static struct jnode *process_binding(struct parser *p, struct jnode *e)
{
    struct jnode *result = process(p, e->lhs), *step = result;
    const char *var = e->rhs->str;
    if (e->type == N_FOCUS) {
        if (result->type == N_PATH)
            step = result->items[result->nitems - 1];
        if (step->nstages || step->npreds)
            perr(p, "S0215", e->pos,
                 "a context variable binding must precede any predicates on a step");
        if (step->type == N_SORT)
            perr(p, "S0216", e->pos,
                 "a context variable binding must precede the 'order-by' clause on a "
                 "step");
        if (e->keep_array)
            step->keep_array = true;
        step->focus = var;
        step->tuple = true;
        return result;
    }
    if (result->type == N_PATH) {
        step = result->items[result->nitems - 1];
    } else {
        result = as_path(p, result);
        if (step->npreds) {
            step->stages = step->preds;
            step->nstages = step->npreds;
            step->preds = NULL;
            step->npreds = 0;
        }
    }
    if (!step->nstages) {
        step->index = var;
    } else {
        struct jstage st = {true, var, NULL, e->pos};
        add_stage(p, &step->stages, &step->nstages, st);
    }
    step->tuple = true;
    return result;
}

static struct jnode *process_node(struct parser *p, struct jnode *e)
{
    struct jnode *r;
    switch (e->type) {
    case N_DOT:
        return process_dot(p, e);
    case N_PRED:
        return process_pred(p, e);
    case N_GROUPBY:
        r = process(p, e->lhs);
        if (r->has_group)
            perr(p, "S0210", e->pos, "each step can only have one grouping expression");
        r->group = process_pairs(p, r, e->pairs, e->npairs);
        r->ngroup = e->npairs;
        r->group_pos = e->pos;
        r->has_group = true;
        return r;
    case N_ORDERBY: {
        r = as_path(p, process(p, e->lhs));
        struct jnode *sort = node(p, N_SORT, e->pos);
        sort->terms = palloc(p, e->nterms * sizeof(*sort->terms));
        sort->nterms = e->nterms;
        for (size_t i = 0; i < e->nterms; i++) {
            sort->terms[i].expr = process(p, e->terms[i].expr);
            sort->terms[i].desc = e->terms[i].desc;
            push_ancestry(p, sort, sort->terms[i].expr);
        }
        push_node(p, &r->items, &r->nitems, sort);
        resolve_ancestry(p, r);
        return r;
    }
    case N_BIND:
        e->rhs = process(p, e->rhs);
        push_ancestry(p, e, e->rhs);
        return e;
    case N_FOCUS:
    case N_INDEX:
        return process_binding(p, e);
    case N_APPLY:
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        e->keep_array = e->keep_array || e->lhs->keep_array || e->rhs->keep_array;
        push_ancestry(p, e, e->lhs);
        push_ancestry(p, e, e->rhs);
        return e;
    case N_BINARY:
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        push_ancestry(p, e, e->lhs);
        push_ancestry(p, e, e->rhs);
        return e;
    case N_ARRAY:
        for (size_t i = 0; i < e->nitems; i++) {
            e->items[i] = process(p, e->items[i]);
            push_ancestry(p, e, e->items[i]);
        }
        return e;
    case N_OBJECT:
        e->pairs = process_pairs(p, e, e->pairs, e->npairs);
        return e;
    case N_NEG:
        e->lhs = process(p, e->lhs);
        if (e->lhs->type == N_NUMBER) {
            e->lhs->num = -e->lhs->num;
            e->lhs->pos = e->pos;
            return e->lhs;
        }
        push_ancestry(p, e, e->lhs);
        return e;
    case N_CALL:
    case N_PARTIAL:
        for (size_t i = 0; i < e->nitems; i++) {
            e->items[i] = process(p, e->items[i]);
            push_ancestry(p, e, e->items[i]);
        }
        e->proc = process(p, e->proc);
        return e;
    case N_LAMBDA:
        e->body = tail_call(p, process(p, e->body));
        return e;
    case N_CONDITION: {
        /* ?: and ?? share their left operand between condition and result */
        bool elvis = e->cond == e->then;
        bool coalesce = e->cond->type == N_CALL && e->cond->nitems == 1 &&
                        e->cond->items[0] == e->then && e->cond->proc->type == N_VARIABLE;
        e->then = process(p, e->then);
        if (elvis) {
            e->cond = e->then;
        } else if (coalesce) {
            e->cond->items[0] = e->then;
        } else {
            e->cond = process(p, e->cond);
        }
        push_ancestry(p, e, e->cond);
        push_ancestry(p, e, e->then);
        if (e->els) {
            e->els = process(p, e->els);
            push_ancestry(p, e, e->els);
        }
        return e;
    }
    case N_TRANSFORM:
        e->pattern = process(p, e->pattern);
        e->update = process(p, e->update);
        if (e->del)
            e->del = process(p, e->del);
        return e;
    case N_BLOCK:
        for (size_t i = 0; i < e->nitems; i++) {
            e->items[i] = process(p, e->items[i]);
            push_ancestry(p, e, e->items[i]);
            struct jnode *it = e->items[i];
            if (it->consarray || (it->type == N_PATH && it->items[0]->consarray))
                e->consarray = true;
        }
        return e;
    case N_NAME:
        r = as_path(p, e);
        if (e->keep_array)
            r->keep_singleton = true;
        return r;
    case N_PARENT:
        e->slot = palloc(p, sizeof(*e->slot));
        snprintf(e->slot->label, sizeof(e->slot->label), "!%d", p->labels++);
        e->slot->level = 1;
        e->slot->index = p->slots++;
        return e;
    case N_OPERATOR:
        e->type = N_NAME;
        return process(p, e);
    default:
        return e;
    }
}

/* Rewrites one node; a `[]` seen by the parser carries over to the rewritten node. */
static struct jnode *process(struct parser *p, struct jnode *e)
{
    if (++p->depth > MAX_NESTING)
        perr(p, "S0201", e->pos, "the expression is nested too deeply");
    bool keep = e->keep_array;
    struct jnode *r = process_node(p, e);
    if (keep)
        r->keep_array = true;
    p->depth--;
    return r;
}

struct jnode *jsonata_parse(struct jsonata *j, struct jsonata_err *err)
{
    struct parser p;
    memset(&p, 0, sizeof(p));
    p.j = j;
    p.lex.src = j->text;
    p.lex.len = j->len;
    p.lex.j = j;
    p.err = err;
    if (setjmp(p.jb))
        return NULL;
    next(&p);
    struct jnode *raw = expression(&p, 0);
    if (p.tok.type != T_END)
        perr(&p, "S0201", p.tok.pos, "syntax error: '%s'", tok_text(&p, &p.tok));
    struct jnode *ast = process(&p, raw);
    if (ast->type == N_PARENT || ast->nseeking)
        perr(&p, "S0217", ast->pos,
             "the parent operator cannot be used at the top level");
    return ast;
}

/* ---- Signatures -------------------------------------------------------------------- */

static int sig_fail(struct jsonata_err *err, const char *code, size_t pos,
                    const char *msg)
{
    jsonata_set_err(err, code, pos, "%s", msg);
    return -1;
}

static size_t closing(const char *s, size_t len, size_t start, char open, char close)
{
    int depth = 1;
    size_t i = start;
    while (i + 1 < len) {
        i++;
        if (s[i] == close) {
            if (--depth == 0)
                break;
        } else if (s[i] == open) {
            depth++;
        }
    }
    return i;
}

/*
 * Reads a parameter's regex ("[sm]?", "f", "[asnblfom]+") into a letter set and a
 * quantifier, so that signature checks can run without PCRE2; false for a regex of
 * another shape (a choice group with odd characters), which keeps using PCRE2.
 */
static bool sig_direct(struct jsig_param *p)
{
    static const struct {
        const char *text;
        enum jsig_quant q;
    } quants[] = {{"", JQ_ONE},
                  {"?", JQ_OPT},
                  {"+", JQ_PLUS},
                  {"??", JQ_OPT_LAZY},
                  {"+?", JQ_PLUS_LAZY}};
    const char *r = p->regex;
    p->set = 0;
    if (*r == '[') {
        for (r++; *r && *r != ']'; r++) {
            if (*r < 'a' || *r > 'z')
                return false;
            p->set |= 1u << (*r - 'a');
        }
        if (*r++ != ']' || !p->set)
            return false;
    } else if (*r >= 'a' && *r <= 'z') {
        p->set = 1u << (*r++ - 'a');
    } else {
        return false;
    }
    for (size_t i = 0; i < sizeof(quants) / sizeof(quants[0]); i++)
        if (!strcmp(r, quants[i].text)) {
            p->quant = (uint8_t)quants[i].q;
            return true;
        }
    return false;
}

int jsonata_sig_parse(struct jsonata *j, const char *s, size_t len, struct jsig *sig,
                      struct jsonata_err *err)
{
    struct jsig_param params[32];
    size_t n = 0;
    struct jsig_param *prev = NULL;
    memset(params, 0, sizeof(params));
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (c == ':' || c == '>')
            break;
        if (n >= 32)
            return sig_fail(err, "S0401", i,
                            "function signature has too many parameters");
        struct jsig_param *cur = &params[n];
        switch (c) {
        case 's':
        case 'n':
        case 'b':
        case 'l':
        case 'o':
            snprintf(cur->regex, sizeof(cur->regex), "[%cm]", c);
            cur->type = c;
            prev = &params[n++];
            break;
        case 'a':
            strcpy(cur->regex, "[asnblfom]");
            cur->type = c;
            prev = &params[n++];
            break;
        case 'f':
            strcpy(cur->regex, "f");
            cur->type = c;
            prev = &params[n++];
            break;
        case 'j':
            strcpy(cur->regex, "[asnblom]");
            cur->type = c;
            prev = &params[n++];
            break;
        case 'x':
            strcpy(cur->regex, "[asnblfom]");
            cur->type = c;
            prev = &params[n++];
            break;
        case '-':
            if (prev && strlen(prev->regex) + 2 < sizeof(prev->regex)) {
                prev->context = true;
                strcat(prev->regex, "?");
            }
            break;
        case '?':
        case '+':
            if (prev && strlen(prev->regex) + 2 < sizeof(prev->regex)) {
                size_t l = strlen(prev->regex);
                prev->regex[l] = c;
                prev->regex[l + 1] = '\0';
            }
            break;
        case '(': {
            size_t end = closing(s, len, i, '(', ')');
            size_t clen = end > i ? end - i - 1 : 0;
            if (memchr(s + i + 1, '<', clen))
                return sig_fail(err, "S0402", i,
                                "choice groups containing parameterised types are not "
                                "supported");
            if (clen + 4 > sizeof(cur->regex))
                return sig_fail(err, "S0401", i, "function signature choice is too long");
            cur->regex[0] = '[';
            memcpy(cur->regex + 1, s + i + 1, clen);
            memcpy(cur->regex + 1 + clen, "m]", 3);
            cur->type = '(';
            prev = &params[n++];
            i = end;
            break;
        }
        case '<': {
            if (!prev || (prev->type != 'a' && prev->type != 'f'))
                return sig_fail(err, "S0401", i,
                                "type parameters can only be applied to functions and "
                                "arrays");
            size_t end = closing(s, len, i, '<', '>');
            prev->subtype = s[i + 1];
            i = end;
            break;
        }
        default:
            break;
        }
    }
    char pat[32 * 28 + 4];
    size_t pl = 0;
    pat[pl++] = '^';
    for (size_t i = 0; i < n; i++)
        pl += (size_t)sprintf(pat + pl, "(%s)", params[i].regex);
    pat[pl++] = '$';
    pat[pl] = '\0';
    int ec;
    PCRE2_SIZE eo;
    sig->re = pcre2_compile((PCRE2_SPTR)pat, pl, 0, &ec, &eo, NULL);
    if (!sig->re)
        return sig_fail(err, "S0401", 0, "invalid function signature");
    if (j)
        keep_res(j, sig->re);
    sig->direct = true;
    for (size_t i = 0; i < n; i++)
        sig->direct &= sig_direct(&params[i]);
    sig->n = n;
    sig->p = j ? jsonata_arena_alloc(&j->arena, (n ? n : 1) * sizeof(*sig->p))
               : xmalloc((n ? n : 1) * sizeof(*sig->p));
    memcpy(sig->p, params, n * sizeof(*sig->p));
    return 0;
}
