/*
 * Expressions inside a definition: JSONPath and reference paths (checked by the
 * interpreter's own parser, jpath_check), intrinsic calls (intr_check), payload
 * templates and their `.$` keys, the {% %} shape of JSONata strings (their contents:
 * jsonata.c), and the flow of variables from Assign to the expressions that read them.
 */
#include "asl/asl_int.h"

#include "base/xalloc.h"
#include "interp/intrinsics.h"

#include <stdlib.h>
#include <string.h>

static bool ident_start(unsigned char ch)
{
    return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           ch >= 0x80;
}

static bool ident_char(unsigned char ch)
{
    return ident_start(ch) || (ch >= '0' && ch <= '9');
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool ends_with_dollar(const char *k, size_t *base_len)
{
    size_t n = strlen(k);
    *base_len = n > 2 ? n - 2 : n;
    return n > 2 && k[n - 2] == '.' && k[n - 1] == '$';
}

/* "'Output' of state 'X'" or "an element of 'Items' of state 'X'" (caller frees). */
static char *slot_name(const char *key, const char *where)
{
    return key ? xasprintf("'%s' of %s", key, where)
               : xasprintf("an array element in %s", where);
}

/* ---- variable reads ---------------------------------------------------------------- */

void asl_record_use(struct asl_ctx *c, struct loc loc, const char *name, size_t len)
{
    if (c->cur == ASL_NONE)
        return;
    VEC_GROW(c->uses, c->nuses + 1, c->auses);
    c->uses[c->nuses++] = (struct asl_varuse){c->cur, xstrndup(name, len), loc};
}

static void record_use(struct asl_ctx *c, const json_t *parent, const char *key,
                       const char *name, size_t len)
{
    asl_record_use(c, asl_loc(c, parent, key, 0), name, len);
}

static size_t ident_len(const char *s)
{
    size_t n = 0;
    while (ident_char((unsigned char)s[n]))
        n++;
    return n;
}

/* A path "$name..." reads variable `name`; "$", "$.x", "$$.x" read none. */
static void path_uses(struct asl_ctx *c, const json_t *parent, const char *key,
                      const char *s)
{
    if (s[0] == '$' && ident_start((unsigned char)s[1]))
        record_use(c, parent, key, s + 1, ident_len(s + 1));
}

/* Finds $name arguments of an intrinsic call, skipping quoted literals. */
static void intrinsic_uses(struct asl_ctx *c, const json_t *parent, const char *key,
                           const char *s)
{
    bool quoted = false;
    for (const char *p = s; *p; p++) {
        if (quoted) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '\'')
                quoted = false;
        } else if (*p == '\'') {
            quoted = true;
        } else if (*p == '$' && p[1] == '$') {
            p++;
        } else if (*p == '$' && ident_start((unsigned char)p[1])) {
            size_t n = ident_len(p + 1);
            record_use(c, parent, key, p + 1, n);
            p += n;
        }
    }
}

/* ---- paths and intrinsics ---------------------------------------------------------- */

void asl_check_path(struct asl_ctx *c, const json_t *parent, const char *key,
                    enum jpath_kind kind, const char *where)
{
    const json_t *v = json_object_get(parent, key);
    const char *s = json_string_value(v);
    struct jpath_err e;
    if (!s || asl_placeholder(c, v))
        return;
    if (jpath_check(s, JPATH_PATH, &e)) {
        asl_diag(c, D_EXPR_PATH, yload_member_subloc(c->doc, parent, key, e.offset, 1),
                 "invalid path in '%s' of %s: %s", key, where, e.msg);
        if (!strncmp(s, "States.", 7))
            asl_note(c, "intrinsic functions are allowed only as values of '.$' keys");
        return;
    }
    if (kind == JPATH_REFERENCE && jpath_check(s, JPATH_REFERENCE, &e)) {
        asl_diag(c, D_EXPR_REFPATH, yload_member_subloc(c->doc, parent, key, e.offset, 1),
                 "'%s' of %s must be a reference path: %s", key, where, e.msg);
        asl_note(
            c, "a reference path names one node: only .name, ['name'] and [index] steps");
        return;
    }
    path_uses(c, parent, key, s);
}

void asl_check_resultpath(struct asl_ctx *c, const json_t *parent, const char *key,
                          const char *where)
{
    const json_t *v = json_object_get(parent, key);
    const char *s = json_string_value(v);
    if (!s || asl_placeholder(c, v))
        return;
    if (s[0] == '$' && s[1] != '\0' && s[1] != '.' && s[1] != '[') {
        asl_diag(c, D_EXPR_RESULTPATH_ROOT, asl_loc(c, parent, key, 0),
                 "'%s' of %s must address the state input, not %s", key, where,
                 s[1] == '$' ? "the context object" : "a variable");
        asl_note(c,
                 "use \"$\", \"$.field\" or null; store into variables with \"Assign\"");
        return;
    }
    asl_check_path(c, parent, key, JPATH_REFERENCE, where);
}

static void check_intrinsic(struct asl_ctx *c, const json_t *parent, const char *key,
                            const char *where)
{
    const char *s = json_string_value(json_object_get(parent, key));
    struct jpath_err e;
    if (intr_check(s, &e)) {
        asl_diag(c, D_EXPR_INTRINSIC,
                 yload_member_subloc(c->doc, parent, key, e.offset, 1),
                 "invalid intrinsic function call in '%s' of %s: %s", key, where, e.msg);
        return;
    }
    intrinsic_uses(c, parent, key, s);
}

void asl_check_dollar_value(struct asl_ctx *c, const json_t *parent, const char *key,
                            const char *where)
{
    const json_t *v = json_object_get(parent, key);
    const char *s = json_string_value(v);
    if (asl_placeholder(c, v))
        return;
    if (s && !strncmp(s, "States.", 7)) {
        check_intrinsic(c, parent, key, where);
        return;
    }
    if (s && s[0] == '$') {
        asl_check_path(c, parent, key, JPATH_PATH, where);
        return;
    }
    asl_diag(c, D_EXPR_DOLLAR_VALUE, asl_loc(c, parent, key, 0),
             "value of '%s' in %s is neither a path nor an intrinsic function call", key,
             where);
    if (s)
        asl_note(
            c, "paths start with '$', intrinsic calls with 'States.'; to pass the string "
               "as is, drop '.$' from the key");
    else
        asl_note(c, "the value must be a string");
}

/* ---- JSONata shape ----------------------------------------------------------------- */

enum ja_shape { JA_LITERAL, JA_EXPR, JA_EMPTY, JA_BROKEN, JA_SPACES };

static enum ja_shape ja_shape(const char *s)
{
    size_t n = strlen(s);
    if (n >= 4 && !strncmp(s, "{%", 2) && !strcmp(s + n - 2, "%}")) {
        for (size_t i = 2; i < n - 2; i++)
            if (!is_space(s[i]))
                return JA_EXPR;
        return JA_EMPTY;
    }
    const char *a = s, *b = s + n;
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    bool open = b - a >= 2 && !strncmp(a, "{%", 2);
    bool close = b - a >= 2 && !strncmp(b - 2, "%}", 2);
    if (open && close && b - a >= 4)
        return JA_SPACES;
    return open || close ? JA_BROKEN : JA_LITERAL;
}

/* asl_jsonata_string within a value whose field set c->ja_states already. */
static int ja_string(struct asl_ctx *c, const json_t *parent, const char *key, size_t idx,
                     const char *where)
{
    const char *s = json_string_value(key ? json_object_get(parent, key)
                                          : json_array_get(parent, idx));
    enum ja_shape shape = s ? ja_shape(s) : JA_LITERAL;
    if (shape == JA_LITERAL)
        return 0;
    char *what = slot_name(key, where);
    if (shape == JA_EXPR) {
        int rc = asl_ja_check(c, parent, key, idx, s, what);
        free(what);
        return rc < 0 ? -1 : 1;
    }
    struct loc loc = asl_loc(c, parent, key, idx);
    if (shape == JA_SPACES) {
        asl_diag(c, D_EXPR_JSONATA_SPACES, loc,
                 "%s is a literal string, not a JSONata expression", what);
        asl_note(c, "remove the whitespace before %s and after %s", "{%", "%}");
    } else {
        asl_diag(c, D_EXPR_JSONATA_SHAPE, loc, "%s JSONata expression in %s",
                 shape == JA_EMPTY ? "empty" : "malformed", what);
        asl_note(
            c,
            "write an expression as \"%s\": the string starts with %s and ends with %s",
            "{% <expression> %}", "{%", "%}");
    }
    free(what);
    return -1;
}

int asl_jsonata_string(struct asl_ctx *c, const json_t *parent, const char *key,
                       size_t idx, const char *where)
{
    asl_ja_scope(c, parent, key);
    return ja_string(c, parent, key, idx, where);
}

/* ---- templates --------------------------------------------------------------------- */

static const json_t *slot_value(const json_t *parent, const char *key, size_t idx)
{
    return key ? json_object_get(parent, key) : json_array_get(parent, idx);
}

static void dollar_clash(struct asl_ctx *c, const json_t *obj, const char *key,
                         size_t base, const char *where)
{
    if (!json_object_getn(obj, key, base))
        return;
    asl_diag(c, D_EXPR_DOLLAR_CLASH, yload_key_loc(c->doc, obj, key),
             "'%s' and '%.*s' set the same field in %s", key, (int)base, key, where);
    asl_note(c, "keep one: the '.$' form evaluates a path, the plain one is a literal");
}

/* JSONPath payload template: `.$` values are paths or intrinsics, the rest literals. */
static void walk_jp(struct asl_ctx *c, const json_t *parent, const char *key, size_t idx,
                    const char *where)
{
    const json_t *v = slot_value(parent, key, idx);
    if (json_is_string(v) && ja_shape(json_string_value(v)) == JA_EXPR) {
        char *what = slot_name(key, where);
        asl_diag(c, D_EXPR_JSONATA_IN_JSONPATH, asl_loc(c, parent, key, idx),
                 "%s is a literal string in a JSONPath state", what);
        asl_note(c,
                 "%s expressions are evaluated only in JSONata states; add "
                 "\"QueryLanguage\": \"JSONata\" to the state",
                 "{% %}");
        free(what);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            walk_jp(c, v, NULL, i, where);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *m;
        size_t base;
        json_object_foreach((json_t *)v, k, m)
        {
            if (ends_with_dollar(k, &base)) {
                dollar_clash(c, v, k, base, where);
                asl_check_dollar_value(c, v, k, where);
            } else {
                walk_jp(c, v, k, 0, where);
            }
        }
    }
}

/* JSONata value: strings may be {% %} expressions; keys are never evaluated. */
static void walk_ja(struct asl_ctx *c, const json_t *parent, const char *key, size_t idx,
                    const char *where)
{
    const json_t *v = slot_value(parent, key, idx);
    if (json_is_string(v)) {
        ja_string(c, parent, key, idx, where);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            walk_ja(c, v, NULL, i, where);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *m;
        size_t base;
        json_object_foreach((json_t *)v, k, m)
        {
            if (ends_with_dollar(k, &base)) {
                asl_diag(c, D_EXPR_DOLLAR_LITERAL, yload_key_loc(c->doc, v, k),
                         "'%s' in %s is a plain key in a JSONata state", k, where);
                asl_note(c,
                         "JSONata states evaluate %s values, not '.$' keys: name the key "
                         "'%.*s' and give it an expression",
                         "{% %}", (int)base, k);
            }
            walk_ja(c, v, k, 0, where);
        }
    }
}

void asl_check_template(struct asl_ctx *c, const json_t *parent, const char *key,
                        bool jsonata, const char *where)
{
    asl_ja_scope(c, parent, key);
    if (jsonata)
        walk_ja(c, parent, key, 0, where);
    else
        walk_jp(c, parent, key, 0, where);
}

static void walk_literal(struct asl_ctx *c, const json_t *v, const char *where)
{
    const char *k;
    json_t *m;
    size_t base;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            walk_literal(c, json_array_get(v, i), where);
        return;
    }
    json_object_foreach((json_t *)v, k, m)
    {
        if (ends_with_dollar(k, &base)) {
            asl_diag(c, D_EXPR_DOLLAR_LITERAL, yload_key_loc(c->doc, v, k),
                     "'%s' in 'Result' of %s is copied as is, not evaluated", k, where);
            asl_note(c, "'Result' is a literal; use 'Parameters' to evaluate paths");
        }
        walk_literal(c, m, where);
    }
}

void asl_check_literal(struct asl_ctx *c, const json_t *parent, const char *key,
                       const char *where)
{
    walk_literal(c, json_object_get(parent, key), where);
}

/* ---- Assign ------------------------------------------------------------------------ */

static bool var_name_ok(const char *s, size_t n)
{
    if (!n || !ident_start((unsigned char)s[0]) || (n == 6 && !strncmp(s, "states", 6)))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!ident_char((unsigned char)s[i]))
            return false;
    return true;
}

void asl_check_assign(struct asl_ctx *c, const json_t *parent, const char *key,
                      bool jsonata, const char *where)
{
    const json_t *a = json_object_get(parent, key);
    char *w = xasprintf("'%s' of %s", key, where);
    asl_ja_scope(c, parent, key);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v)
    {
        size_t n;
        bool dollar = ends_with_dollar(k, &n) && !jsonata;
        if (!dollar)
            n = strlen(k);
        if (!var_name_ok(k, n)) {
            asl_diag(c, D_EXPR_VAR_NAME, yload_key_loc(c->doc, a, k),
                     "invalid variable name '%.*s' in %s", (int)n, k, w);
            asl_note(c, "a variable name starts with a letter or '_' and holds letters, "
                        "digits and '_'; 'states' is reserved");
        }
        if (dollar) {
            dollar_clash(c, a, k, n, w);
            asl_check_dollar_value(c, a, k, w);
        } else if (jsonata) {
            walk_ja(c, a, k, 0, w);
        } else {
            walk_jp(c, a, k, 0, w);
        }
    }
    free(w);
}

/* ---- variable flow ----------------------------------------------------------------- */

struct varset {
    const char **names; /* borrowed from the definition or the uses */
    size_t *lens;
    size_t n, alloc, alloc2;
};

static size_t var_find(const struct varset *vs, const char *name, size_t len)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->lens[i] == len && !strncmp(vs->names[i], name, len))
            return i;
    return ASL_NONE;
}

static void var_add(struct varset *vs, const char *name, size_t len)
{
    if (var_find(vs, name, len) != ASL_NONE)
        return;
    VEC_GROW(vs->names, vs->n + 1, vs->alloc);
    VEC_GROW(vs->lens, vs->n + 1, vs->alloc2);
    vs->names[vs->n] = name;
    vs->lens[vs->n++] = len;
}

static size_t assign_key_len(const char *k)
{
    size_t n;
    return ends_with_dollar(k, &n) ? n : strlen(k);
}

/* Calls fn on every Assign object of a state: its own, its Choice rules', its catchers'.
 */
static void for_each_assign(const struct asl_state *st,
                            void (*fn)(void *arg, const json_t *assign), void *arg)
{
    static const char *const lists[] = {"Choices", "Catch"};
    if (!json_is_object(st->obj))
        return;
    if (json_is_object(json_object_get(st->obj, "Assign")))
        fn(arg, json_object_get(st->obj, "Assign"));
    for (size_t l = 0; l < 2; l++) {
        const json_t *arr = json_object_get(st->obj, lists[l]);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            const json_t *a = json_object_get(json_array_get(arr, i), "Assign");
            if (json_is_object(a))
                fn(arg, a);
        }
    }
}

static void intern_assign(void *arg, const json_t *assign)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)assign, k, v) var_add(arg, k, assign_key_len(k));
}

static void set_assign_bits(const struct varset *vs, const json_t *assign, uint64_t *bits)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)assign, k, v)
    {
        size_t id = var_find(vs, k, assign_key_len(k));
        bits[id / 64] |= (uint64_t)1 << (id % 64);
    }
}

static bool has_bit(const uint64_t *bits, size_t id)
{
    return (bits[id / 64] >> (id % 64)) & 1;
}

/* Propagates "possibly assigned" sets along the transitions of one scope. */
static void flow_scope(struct asl_ctx *c, const struct varset *vs, size_t si,
                       size_t words, uint64_t *tmp)
{
    const struct asl_scope *sc = &c->scopes[si];
    if (sc->start == ASL_NONE)
        return;
    if (sc->owner != ASL_NONE && !sc->distributed)
        for (size_t w = 0; w < words; w++)
            c->states[sc->start].vars_in[w] |= c->states[sc->owner].vars_in[w];
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = sc->first; i < sc->first + sc->n; i++) {
            const struct asl_state *st = &c->states[i];
            for (size_t e = 0; st->reachable && e < st->nedges; e++) {
                memcpy(tmp, st->vars_in, words * sizeof(*tmp));
                if (st->edges[e].assign)
                    set_assign_bits(vs, st->edges[e].assign, tmp);
                uint64_t *to = c->states[st->edges[e].to].vars_in;
                for (size_t w = 0; w < words; w++) {
                    if (tmp[w] & ~to[w]) {
                        to[w] |= tmp[w];
                        changed = true;
                    }
                }
            }
        }
    }
}

static void check_uses(struct asl_ctx *c, const struct varset *vs)
{
    for (size_t u = 0; u < c->nuses; u++) {
        const struct asl_varuse *use = &c->uses[u];
        const struct asl_state *st = &c->states[use->state];
        size_t id = var_find(vs, use->name, strlen(use->name));
        if (!st->reachable || (id != ASL_NONE && has_bit(st->vars_in, id)))
            continue;
        if (id == ASL_NONE) {
            asl_diag(c, D_EXPR_VAR_UNASSIGNED, use->loc,
                     "variable '$%s' read in state '%s' is never assigned", use->name,
                     st->name);
            asl_note(c, "assign it in an earlier state: \"Assign\": {\"%s\": ...}",
                     use->name);
            continue;
        }
        asl_diag(
            c, D_EXPR_VAR_UNASSIGNED, use->loc,
            "variable '$%s' read in state '%s' is not assigned on any path before it",
            use->name, st->name);
        if (c->scopes[st->scope].distributed)
            asl_note(c, "child executions of a distributed Map cannot read the parent's "
                        "variables");
        else
            asl_note(c, "a state's own Assign takes effect in the next state, and values "
                        "assigned in a Parallel branch or Map iteration stay there");
    }
}

struct shadow_ctx {
    struct asl_ctx *c;
    const struct varset *vs;
    const uint64_t *outer;
    const char *scope_what;
};

static void shadow_assign(void *arg, const json_t *assign)
{
    struct shadow_ctx *sh = arg;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)assign, k, v)
    {
        size_t len = assign_key_len(k), id = var_find(sh->vs, k, len);
        if (!has_bit(sh->outer, id))
            continue;
        asl_diag(sh->c, D_EXPR_VAR_SHADOW, yload_key_loc(sh->c->doc, assign, k),
                 "variable '%.*s' assigned in %s already exists in an outer scope",
                 (int)len, k, sh->scope_what);
        asl_note(sh->c, "inner scopes may read outer variables but not assign them; pick "
                        "another name");
    }
}

void asl_check_variables(struct asl_ctx *c)
{
    struct varset vs = {0};
    for (size_t i = 0; i < c->nstates; i++)
        for_each_assign(&c->states[i], intern_assign, &vs);
    size_t words = vs.n ? (vs.n + 63) / 64 : 1;
    uint64_t *tmp = xcalloc(words, sizeof(*tmp));
    for (size_t i = 0; i < c->nstates; i++)
        c->states[i].vars_in = xcalloc(words, sizeof(uint64_t));
    for (size_t si = 0; vs.n && si < c->nscopes; si++)
        flow_scope(c, &vs, si, words, tmp);
    check_uses(c, &vs);
    for (size_t si = 0; vs.n && si < c->nscopes; si++) {
        const struct asl_scope *sc = &c->scopes[si];
        if (sc->owner == ASL_NONE)
            continue;
        struct shadow_ctx sh = {c, &vs, c->states[sc->owner].vars_in, sc->what};
        for (size_t i = sc->first; i < sc->first + sc->n; i++)
            for_each_assign(&c->states[i], shadow_assign, &sh);
    }
    free(tmp);
    free(vs.names);
    free(vs.lens);
}
