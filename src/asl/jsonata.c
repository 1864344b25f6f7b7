/*
 * JSONata expressions inside a definition: each {% %} string is parsed by the engine
 * the interpreter runs, so syntax errors point at the token at fault; then the parsed
 * tree is walked for what Step Functions refuses (the context item, $eval), for $states
 * members the field does not have, and for the workflow variables it reads.
 */
#include "asl/asl_int.h"

#include "base/xalloc.h"
#include "interp/jsonata_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- which $states members a field has --------------------------------------------- */

static bool is_output_or_assign(const char *key)
{
    return key && (!strcmp(key, "Output") || !strcmp(key, "Assign"));
}

static bool has_result(enum asl_stype t)
{
    return t == ST_TASK || t == ST_PARALLEL || t == ST_MAP;
}

/* True when obj is one of the catchers of the state. */
static bool is_catcher(const json_t *state, const json_t *obj)
{
    const json_t *arr = json_object_get(state, "Catch");
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (json_array_get(arr, i) == obj)
            return true;
    return false;
}

void asl_ja_scope(struct asl_ctx *c, const json_t *parent, const char *key)
{
    c->ja_states = 0;
    if (c->cur == ASL_NONE || !is_output_or_assign(key))
        return;
    const struct asl_state *st = &c->states[c->cur];
    if (parent == st->obj && has_result(st->type))
        c->ja_states = ASL_JA_RESULT;
    else if (parent != st->obj && is_catcher(st->obj, parent))
        c->ja_states = ASL_JA_ERROR;
}

/* ---- walking the parsed expression ------------------------------------------------- */

/* Calls fn on every node of the tree below n (n included), parents first. */
static void visit_nodes(const struct jnode *n, void (*fn)(void *, const struct jnode *),
                        void *arg)
{
    if (!n)
        return;
    fn(arg, n);
    const struct jnode *kids[] = {n->lhs,  n->rhs,  n->cond,    n->then,   n->els,
                                  n->body, n->proc, n->pattern, n->update, n->del};
    for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
        visit_nodes(kids[i], fn, arg);
    for (size_t i = 0; i < n->nitems; i++)
        visit_nodes(n->items[i], fn, arg);
    for (size_t i = 0; i < n->npairs; i++) {
        visit_nodes(n->pairs[i].key, fn, arg);
        visit_nodes(n->pairs[i].val, fn, arg);
    }
    for (size_t i = 0; i < n->ngroup; i++) {
        visit_nodes(n->group[i].key, fn, arg);
        visit_nodes(n->group[i].val, fn, arg);
    }
    for (size_t i = 0; i < n->nterms; i++)
        visit_nodes(n->terms[i].expr, fn, arg);
    for (size_t i = 0; i < n->nstages; i++)
        visit_nodes(n->stages[i].expr, fn, arg);
    for (size_t i = 0; i < n->npreds; i++)
        visit_nodes(n->preds[i].expr, fn, arg);
}

/* Names the expression binds itself: $x := ..., function($a), @$item, #$index. */
struct bound {
    const char **names;
    size_t n, alloc;
};

static void bound_add(struct bound *b, const char *name)
{
    if (!name || !*name)
        return;
    VEC_GROW(b->names, b->n + 1, b->alloc);
    b->names[b->n++] = name;
}

static bool bound_has(const struct bound *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->names[i], name))
            return true;
    return false;
}

static void collect_binding(void *arg, const struct jnode *n)
{
    struct bound *b = arg;
    if (n->type == N_BIND && n->lhs && n->lhs->type == N_VARIABLE)
        bound_add(b, n->lhs->str);
    if (n->type == N_LAMBDA)
        for (size_t i = 0; i < n->nitems; i++)
            if (n->items[i] && n->items[i]->type == N_VARIABLE)
                bound_add(b, n->items[i]->str);
    bound_add(b, n->focus);
    bound_add(b, n->index);
}

struct refs {
    struct asl_ctx *c;
    const json_t *parent;
    const char *key;
    size_t idx;
    const char *what; /* "'Output' of state 'X'" */
    struct bound bound;
    int rc;
};

/* Location of byte `pos` of the expression (which starts after "{%"). */
static struct loc ref_loc(const struct refs *r, size_t pos, unsigned len)
{
    if (r->key)
        return yload_member_subloc(r->c->doc, r->parent, r->key, pos + 2, len);
    return asl_loc(r->c, r->parent, NULL, r->idx);
}

static const char *const states_members[] = {"input", "context", "result", "errorOutput"};

/* $states.<name> in a path: checks the member against the field. */
static void check_states_member(struct refs *r, const struct jnode *path)
{
    const struct jnode *m = path->nitems > 1 ? path->items[1] : NULL;
    if (!m || m->type != N_NAME || !m->str)
        return;
    size_t i = 0;
    while (i < ARRAY_SIZE(states_members) && strcmp(states_members[i], m->str))
        i++;
    struct asl_ctx *c = r->c;
    struct loc loc = ref_loc(r, m->pos, (unsigned)m->slen);
    if (i == ARRAY_SIZE(states_members)) {
        asl_diag(c, D_EXPR_JSONATA_STATES, loc, "'$states.%s' in %s does not exist",
                 m->str, r->what);
        asl_note(c, "$states has input, context, result (Output and Assign of Task, "
                    "Parallel and Map) and errorOutput (Output and Assign of a catcher)");
        r->rc = -1;
    } else if (i == 2 && !(c->ja_states & ASL_JA_RESULT)) {
        asl_diag(c, D_EXPR_JSONATA_STATES, loc, "'$states.result' is not available in %s",
                 r->what);
        asl_note(c, "$states.result exists only in Output and Assign of Task, Parallel "
                    "and Map states, once the work has produced a result");
        r->rc = -1;
    } else if (i == 3 && !(c->ja_states & ASL_JA_ERROR)) {
        asl_diag(c, D_EXPR_JSONATA_STATES, loc,
                 "'$states.errorOutput' is not available in %s", r->what);
        asl_note(c, "$states.errorOutput exists only in Output and Assign of a catcher");
        r->rc = -1;
    }
}

/* A $name that is not bound in the expression: a function or a workflow variable. */
static void check_variable(struct refs *r, const struct jnode *n)
{
    const char *name = n->str;
    if (!name || !*name || !strcmp(name, "$") || !strcmp(name, "states") ||
        bound_has(&r->bound, name))
        return;
    const struct jsonata_builtin *b = jsonata_builtin_find(name);
    if (b && b->plain_only) {
        asl_diag(r->c, D_EXPR_JSONATA_AWS, ref_loc(r, n->pos, (unsigned)n->slen + 1),
                 "'$%s' in %s does not exist in Step Functions' JSONata", name, r->what);
        if (!strcmp(name, "eval"))
            asl_note(r->c, "use $parse() to turn a JSON string into a value");
        r->rc = -1;
        return;
    }
    if (b)
        return;
    asl_record_use(r->c, ref_loc(r, n->pos, (unsigned)n->slen + 1), name, strlen(name));
}

static void check_node(void *arg, const struct jnode *n)
{
    struct refs *r = arg;
    if (n->type == N_PATH && n->nitems > 0 && n->items[0]->type == N_VARIABLE &&
        n->items[0]->str && !strcmp(n->items[0]->str, "states"))
        check_states_member(r, n);
    if (n->type == N_VARIABLE) /* lambda parameters are bound names: skipped there */
        check_variable(r, n);
}

/* ---- the check --------------------------------------------------------------------- */

int asl_ja_check(struct asl_ctx *c, const json_t *parent, const char *key, size_t idx,
                 const char *s, const char *what)
{
    size_t n = strlen(s);
    struct jsonata_err e = {0};
    struct refs r = {c, parent, key, idx, what, {0}, 0};
    struct jsonata *j = jsonata_compile(s + 2, n - 4, &e);
    if (!j) {
        asl_diag(c, D_EXPR_JSONATA_SHAPE, ref_loc(&r, e.offset, 1),
                 "malformed JSONata expression in %s: %s (JSONata %s)", what, e.msg,
                 e.code);
        return -1;
    }
    if (jsonata_check_aws(j, &e)) {
        asl_diag(c, D_EXPR_JSONATA_AWS, ref_loc(&r, e.offset, 1), "%s in %s", e.msg,
                 what);
        asl_note(c, "Step Functions gives JSONata no input document: read the state "
                    "input as $states.input.<field>");
        r.rc = -1;
    }
    visit_nodes(j->root, collect_binding, &r.bound);
    visit_nodes(j->root, check_node, &r);
    free(r.bound.names);
    jsonata_free(j);
    return r.rc;
}
