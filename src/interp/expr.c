/*
 * The expression seam (see expr.h): JSONPath paths and intrinsic calls through the
 * jpath and intrinsics engines, payload templates, ResultPath, JSONata field values
 * through the jsonata engine with AWS's cause texts, and a small cache of compiled
 * expressions so a long Map does not recompile the same expression per item.
 */
#include "interp/expr.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"
#include "interp/jsonata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RUNTIME "States.Runtime"

/* ---- compiled-expression cache ------------------------------------------------------
 */

#define CACHE_SLOTS 4096 /* power of two; the cache is dropped when half full */

/* What an entry holds: a path, an intrinsic call or a JSONata expression. */
enum centry_lang { CE_PATH, CE_CALL, CE_JSONATA };

struct centry {
    char *text;
    enum jpath_kind kind;
    int is_call; /* enum centry_lang */
    struct jpath *path;
    struct intr_call *call;
    struct jsonata *ja; /* the text between {% and %} */
    char *error;        /* compile error message, when compiling failed */
    bool uses_ctx;      /* the text mentions $$ (conservatively: even in a literal) */
};

static struct centry cache[CACHE_SLOTS];
static size_t cache_used;

static void centry_release(struct centry *e)
{
    free(e->text);
    jpath_free(e->path);
    intr_free(e->call);
    jsonata_free(e->ja);
    free(e->error);
    memset(e, 0, sizeof(*e));
}

void expr_cache_clear(void)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].text)
            centry_release(&cache[i]);
    cache_used = 0;
}

static void centry_fill(struct centry *e, const char *text, enum jpath_kind kind,
                        int is_call);

static size_t hash_text(const char *s, enum jpath_kind kind, int is_call)
{
    size_t h = 1469598103934665603u ^ (size_t)kind ^ ((size_t)is_call << 4);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Returns the cache entry for (text, kind, is_call), compiling it on first use. */
static const struct centry *compiled(const char *text, enum jpath_kind kind, int is_call)
{
    if (cache_used >= CACHE_SLOTS / 2)
        expr_cache_clear();
    size_t i = hash_text(text, kind, is_call) & (CACHE_SLOTS - 1);
    while (cache[i].text) {
        struct centry *e = &cache[i];
        if (e->kind == kind && e->is_call == is_call && !strcmp(e->text, text))
            return e;
        i = (i + 1) & (CACHE_SLOTS - 1);
    }
    struct centry *e = &cache[i];
    centry_fill(e, text, kind, is_call);
    cache_used++;
    return e;
}

/* Compiles text into e (an error message instead when it does not compile). */
static void centry_fill(struct centry *e, const char *text, enum jpath_kind kind,
                        int is_call)
{
    struct jpath_err jerr = {0};
    e->text = xstrdup(text);
    e->kind = kind;
    e->is_call = is_call;
    e->uses_ctx = strstr(text, "$$") != NULL;
    if (is_call == CE_JSONATA) {
        struct jsonata_err jaerr = {0};
        size_t n = strlen(text);
        e->ja = n >= 4 ? jsonata_compile(text + 2, n - 4, &jaerr) : NULL;
        if (!e->ja)
            e->error = xasprintf("%s: %s", jaerr.code[0] ? jaerr.code : "S0201",
                                 jaerr.msg[0] ? jaerr.msg : "malformed expression");
    } else if (is_call) {
        e->call = intr_compile(text, &jerr);
    } else {
        e->path = jpath_compile(text, kind, &jerr);
    }
    if (!e->call && !e->path && !e->ja && !e->error)
        e->error = xstrdup(jerr.msg[0] ? jerr.msg : "malformed expression");
}

/* ---- helpers --------------------------------------------------------------------------
 */

static int fail(struct expr_err *err, const char *name, char *cause)
{
    err->name = name;
    err->cause = cause;
    return -1;
}

void expr_err_release(struct expr_err *err)
{
    free(err->cause);
    free(err->location);
    err->cause = NULL;
    err->location = NULL;
    err->name = NULL;
}

/* The Context object for an expression: built on demand, only when it can be read. */
static json_t *env_context(const struct expr_env *env, const struct centry *e)
{
    if (env->context || !e->uses_ctx || !env->context_fn)
        return env->context;
    return env->context_fn(env->context_arg);
}

static int eval_compiled(const struct expr_env *env, const char *text,
                         const struct centry *e, json_t *doc, json_t **out,
                         struct jpath_err *jerr, struct expr_err *err);

/* Evaluates a path; returns 0, EXPR_NOT_FOUND (msg in jerr) or -1. */
static int eval_path(const struct expr_env *env, const char *text, enum jpath_kind kind,
                     json_t *doc, json_t **out, struct jpath_err *jerr,
                     struct expr_err *err)
{
    return eval_compiled(env, text, compiled(text, kind, 0), doc, out, jerr, err);
}

/* The same with the path compiled already. */
static int eval_compiled(const struct expr_env *env, const char *text,
                         const struct centry *e, json_t *doc, json_t **out,
                         struct jpath_err *jerr, struct expr_err *err)
{
    *out = NULL;
    if (!e->path)
        return fail(err, RUNTIME, xasprintf("Invalid path '%s' : %s", text, e->error));
    memset(jerr, 0, sizeof(*jerr));
    int rc = jpath_eval(e->path, doc, env_context(env, e), env->vars, out, jerr);
    if (rc == JPATH_NOT_FOUND) {
        *out = NULL;
        return EXPR_NOT_FOUND;
    }
    if (rc) {
        *out = NULL;
        return fail(err, RUNTIME,
                    xasprintf("Invalid path '%s' : %s", text,
                              jerr->msg[0] ? jerr->msg : "evaluation failed"));
    }
    return 0;
}

/* ---- public
 * ----------------------------------------------------------------------------- */

/* expr_path on a compiled path. */
static int path_of(const struct expr_env *env, const struct centry *e, json_t *doc,
                   json_t **out, struct expr_err *err)
{
    *out = NULL;
    struct jpath_err jerr;
    int rc = eval_compiled(env, e->text, e, doc, out, &jerr, err);
    if (rc == EXPR_NOT_FOUND)
        return fail(err, RUNTIME,
                    xasprintf("Invalid path '%s' : %s", e->text,
                              jerr.msg[0] ? jerr.msg : "No results for path"));
    return rc;
}

int expr_path(const struct expr_env *env, const char *field, const char *path,
              json_t *doc, json_t **out, struct expr_err *err)
{
    (void)field;
    return path_of(env, compiled(path, JPATH_PATH, 0), doc, out, err);
}

struct expr_comp {
    struct centry e;
};

struct expr_comp *expr_comp_new(const char *text, enum jpath_kind kind)
{
    struct expr_comp *c = xcalloc(1, sizeof(*c));
    centry_fill(&c->e, text, kind, 0);
    return c;
}

void expr_comp_free(struct expr_comp *c)
{
    if (!c)
        return;
    centry_release(&c->e);
    free(c);
}

int expr_path_c(const struct expr_env *env, const struct expr_comp *c, json_t *doc,
                json_t **out, struct expr_err *err)
{
    return path_of(env, &c->e, doc, out, err);
}

int expr_lookup(const struct expr_env *env, const char *path, json_t *doc, json_t **out,
                struct expr_err *err)
{
    *out = NULL;
    struct jpath_err jerr;
    int rc = eval_path(env, path, JPATH_REFERENCE, doc, out, &jerr, err);
    if (rc == EXPR_NOT_FOUND) {
        err->name = NULL;
        err->cause = xasprintf("Invalid path '%s' : %s", path,
                               jerr.msg[0] ? jerr.msg : "No results for path");
    }
    return rc;
}

/* expr_value with the text compiled already (e: an intrinsic call or a JSONPath). */
static int value_of(const struct expr_env *env, const char *field, const char *text,
                    const struct centry *e, json_t *doc, json_t **out,
                    struct expr_err *err);

int expr_value(const struct expr_env *env, const char *field, const char *text,
               json_t *doc, json_t **out, struct expr_err *err)
{
    *out = NULL;
    int is_call = intr_is_call(text);
    return value_of(env, field, text, compiled(text, JPATH_PATH, is_call), doc, out, err);
}

static int value_of(const struct expr_env *env, const char *field, const char *text,
                    const struct centry *e, json_t *doc, json_t **out,
                    struct expr_err *err)
{
    *out = NULL;
    if (e->is_call) {
        if (!e->call)
            return fail(err, RUNTIME,
                        xasprintf("The value '%s' of the field '%s' is not a "
                                  "valid intrinsic function call: %s",
                                  text, field, e->error));
        struct intr_error ierr = {0};
        if (intr_eval(e->call, doc, env_context(env, e), env->vars, env->rng, out,
                      &ierr)) {
            *out = NULL;
            return fail(err, ierr.name ? ierr.name : RUNTIME, xstrdup(ierr.cause));
        }
        return 0;
    }
    struct jpath_err jerr;
    int rc = eval_compiled(env, text, e, doc, out, &jerr, err);
    if (rc != EXPR_NOT_FOUND)
        return rc;
    char *in = jout_compact(doc);
    fail(err, RUNTIME,
         xasprintf("The JSONPath '%s' specified for the field '%s' could not be "
                   "found in the input '%s'",
                   text, field, in));
    free(in);
    return -1;
}

static int walk_template(const struct expr_env *env, json_t *tmpl, json_t *doc,
                         json_t **out, struct expr_err *err);

static int walk_object(const struct expr_env *env, json_t *tmpl, json_t *doc,
                       json_t **out, struct expr_err *err)
{
    json_t *res = json_object();
    const char *key;
    json_t *val;
    json_object_foreach(tmpl, key, val)
    {
        size_t len = strlen(key);
        json_t *v = NULL;
        if (len > 2 && !strcmp(key + len - 2, ".$")) {
            if (!json_is_string(val)) {
                fail(err, RUNTIME,
                     xasprintf("The value of the field '%s' must be a string "
                               "holding a path or an intrinsic call",
                               key));
                goto bad;
            }
            if (expr_value(env, key, json_string_value(val), doc, &v, err))
                goto bad;
            char *name = xstrndup(key, len - 2);
            json_object_set_new(res, name, v);
            free(name);
            continue;
        }
        if (walk_template(env, val, doc, &v, err))
            goto bad;
        json_object_set_new(res, key, v);
    }
    *out = res;
    return 0;
bad:
    json_decref(res);
    return -1;
}

static int walk_template(const struct expr_env *env, json_t *tmpl, json_t *doc,
                         json_t **out, struct expr_err *err)
{
    *out = NULL;
    if (json_is_object(tmpl))
        return walk_object(env, tmpl, doc, out, err);
    if (!json_is_array(tmpl)) {
        *out = json_incref(tmpl);
        return 0;
    }
    json_t *res = json_array();
    size_t i;
    json_t *val;
    json_array_foreach(tmpl, i, val)
    {
        json_t *v;
        if (walk_template(env, val, doc, &v, err)) {
            json_decref(res);
            return -1;
        }
        json_array_append_new(res, v);
    }
    *out = res;
    return 0;
}

int expr_template(const struct expr_env *env, json_t *tmpl, json_t *doc, json_t **out,
                  struct expr_err *err)
{
    *out = NULL;
    return walk_template(env, tmpl, doc, out, err);
}

/* ---- compiled templates ------------------------------------------------------------
 * The same walk as walk_template with the decisions taken once: which members are
 * `.$` members, their keys without the suffix, their compiled paths and calls. The
 * members are set in the same order, so the result is the same object.
 */

enum tnode_op {
    TN_LITERAL,    /* a value copied as it is (incref) */
    TN_VALUE,      /* a `.$` member: a path or an intrinsic call */
    TN_NOT_STRING, /* a `.$` member whose value is not a string: fails */
    TN_OBJECT,
    TN_ARRAY,
};

struct tnode {
    enum tnode_op op;
    json_t *lit;        /* TN_LITERAL: borrowed from the definition */
    char *key;          /* object member: the key to set (without ".$") */
    size_t klen;        /* its length */
    const char *field;  /* object member: the key as written (for messages) */
    const char *text;   /* TN_VALUE: the expression (borrowed) */
    struct centry ce;   /* TN_VALUE: compiled */
    struct tnode *kids; /* TN_OBJECT, TN_ARRAY */
    size_t n;
};

struct expr_tmpl {
    struct tnode root;
};

static void tnode_build(struct tnode *t, json_t *v);

static void tnode_member(struct tnode *t, const char *key, size_t len, json_t *val)
{
    t->field = key;
    if (len > 2 && !strcmp(key + len - 2, ".$")) {
        t->key = xstrndup(key, len - 2);
        t->klen = len - 2;
        if (!json_is_string(val)) {
            t->op = TN_NOT_STRING;
            return;
        }
        t->op = TN_VALUE;
        t->text = json_string_value(val);
        centry_fill(&t->ce, t->text, JPATH_PATH, intr_is_call(t->text));
        return;
    }
    t->key = xstrndup(key, len);
    t->klen = len;
    tnode_build(t, val);
}

static void tnode_build(struct tnode *t, json_t *v)
{
    size_t i = 0;
    if (json_is_object(v)) {
        t->op = TN_OBJECT;
        t->n = json_object_size(v);
        t->kids = xcalloc(t->n ? t->n : 1, sizeof(*t->kids));
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it), i++)
            tnode_member(&t->kids[i], json_object_iter_key(it),
                         strlen(json_object_iter_key(it)), json_object_iter_value(it));
    } else if (json_is_array(v)) {
        t->op = TN_ARRAY;
        t->n = json_array_size(v);
        t->kids = xcalloc(t->n ? t->n : 1, sizeof(*t->kids));
        for (; i < t->n; i++)
            tnode_build(&t->kids[i], json_array_get(v, i));
    } else {
        t->op = TN_LITERAL;
        t->lit = v;
    }
}

static void tnode_release(struct tnode *t)
{
    for (size_t i = 0; i < t->n; i++)
        tnode_release(&t->kids[i]);
    free(t->kids);
    free(t->key);
    if (t->op == TN_VALUE)
        centry_release(&t->ce);
}

struct expr_tmpl *expr_tmpl_compile(json_t *tmpl)
{
    struct expr_tmpl *t = xcalloc(1, sizeof(*t));
    tnode_build(&t->root, tmpl);
    return t;
}

void expr_tmpl_free(struct expr_tmpl *t)
{
    if (!t)
        return;
    tnode_release(&t->root);
    free(t);
}

static int tnode_eval(const struct expr_env *env, const struct tnode *t, json_t *doc,
                      json_t **out, struct expr_err *err)
{
    *out = NULL;
    if (t->op == TN_LITERAL) {
        *out = json_incref(t->lit);
        return 0;
    }
    json_t *res = t->op == TN_OBJECT ? json_object() : json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct tnode *k = &t->kids[i];
        json_t *v = NULL;
        int rc;
        if (k->op == TN_NOT_STRING)
            rc = fail(err, RUNTIME,
                      xasprintf("The value of the field '%s' must be a string holding a "
                                "path or an intrinsic call",
                                k->field));
        else if (k->op == TN_VALUE)
            rc = value_of(env, k->field, k->text, &k->ce, doc, &v, err);
        else
            rc = tnode_eval(env, k, doc, &v, err);
        if (rc) {
            json_decref(res);
            return -1;
        }
        if (t->op == TN_OBJECT)
            json_object_setn_new_nocheck(res, k->key, k->klen, v);
        else
            json_array_append_new(res, v);
    }
    *out = res;
    return 0;
}

int expr_tmpl_eval(const struct expr_env *env, const struct expr_tmpl *t, json_t *doc,
                   json_t **out, struct expr_err *err)
{
    return tnode_eval(env, &t->root, doc, out, err);
}

static int assign_at(const struct centry *e, json_t *doc, json_t *value, json_t **out,
                     struct expr_err *err);

int expr_assign_path(const struct expr_env *env, const char *ref, json_t *doc,
                     json_t *value, json_t **out, struct expr_err *err)
{
    (void)env;
    return assign_at(compiled(ref, JPATH_REFERENCE, 0), doc, value, out, err);
}

int expr_assign_path_c(const struct expr_env *env, const struct expr_comp *c, json_t *doc,
                       json_t *value, json_t **out, struct expr_err *err)
{
    (void)env;
    return assign_at(&c->e, doc, value, out, err);
}

static int assign_at(const struct centry *e, json_t *doc, json_t *value, json_t **out,
                     struct expr_err *err)
{
    const char *ref = e->text;
    *out = NULL;
    if (!e->path)
        return fail(err, RUNTIME, xasprintf("Invalid path '%s' : %s", ref, e->error));
    if (jpath_set(e->path, doc, value, out)) {
        *out = NULL;
        char *in = jout_compact(doc);
        fail(err, "States.ResultPathMatchFailure",
             xasprintf("Unable to apply ReferencePath %s to input %s", ref, in));
        free(in);
        return -1;
    }
    return 0;
}

/* ---- JSONata ----------------------------------------------------------------------- */

bool expr_is_jsonata(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 4 && s[0] == '{' && s[1] == '%' && s[n - 2] == '%' && s[n - 1] == '}';
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The expression text AWS quotes in causes: between {% and %}, blanks trimmed (new). */
static char *ja_text(const char *s)
{
    const char *a = s + 2, *b = s + strlen(s) - 2;
    while (a < b && is_blank(*a))
        a++;
    while (b > a && is_blank(b[-1]))
        b--;
    return xstrndup(a, (size_t)(b - a));
}

int expr_jsonata_fail(const char *field, const char *text, const char *what,
                      struct expr_err *err)
{
    char *t = expr_is_jsonata(text) ? ja_text(text) : xstrdup(text);
    fail(err, EXPR_QUERY_ERROR,
         xasprintf("The JSONata expression '%s' specified for the field '%s' %s", t,
                   field, what));
    free(t);
    free(err->location);
    err->location = xstrdup(field);
    return -1;
}

static const char *const want_names[] = {
    [EXPR_WANT_ANY] = "any",         [EXPR_WANT_ARRAY] = "array",
    [EXPR_WANT_BOOLEAN] = "boolean", [EXPR_WANT_STRING] = "string",
    [EXPR_WANT_NUMBER] = "number",   [EXPR_WANT_INTEGER] = "integer",
};

static bool want_ok(enum expr_want want, json_t *v)
{
    switch (want) {
    case EXPR_WANT_ARRAY:
        return json_is_array(v);
    case EXPR_WANT_BOOLEAN:
        return json_is_boolean(v);
    case EXPR_WANT_STRING:
        return json_is_string(v);
    case EXPR_WANT_NUMBER:
        return json_is_number(v);
    case EXPR_WANT_INTEGER:
        return json_is_integer(v) ||
               (json_is_real(v) && fabs(json_real_value(v)) < 9007199254740992.0 &&
                json_real_value(v) == floor(json_real_value(v)));
    default:
        return true;
    }
}

/* The variables an expression sees: env->vars plus $states (new object). */
static json_t *ja_bindings(const struct expr_env *env)
{
    json_t *b = json_is_object(env->vars) ? json_copy(env->vars) : json_object();
    if (env->states)
        json_object_set(b, "states", env->states);
    return b;
}

/* Evaluates one {% %} string s at position `loc`. */
static int ja_eval_string(const struct expr_env *env, json_t *bindings, const char *loc,
                          const char *s, enum expr_want want, json_t **out,
                          struct expr_err *err)
{
    *out = NULL;
    const struct centry *e = compiled(s, JPATH_PATH, CE_JSONATA);
    if (!e->ja) {
        char *t = ja_text(s);
        fail(err, RUNTIME,
             xasprintf("The JSONata expression '%s' specified for the field '%s' is not "
                       "valid: %s",
                       t, loc, e->error));
        free(t);
        return -1;
    }
    struct jsonata_env jenv = {0};
    jenv.mode = JSONATA_AWS;
    jenv.bindings = bindings;
    jenv.now_ms = env->now_ms;
    jenv.rng = env->rng;
    struct jsonata_err jerr = {0};
    int rc = jsonata_eval(e->ja, &jenv, out, &jerr);
    if (rc < 0) {
        *out = NULL;
        char *what =
            xasprintf("threw an error during evaluation. %s: %s", jerr.code, jerr.msg);
        expr_jsonata_fail(loc, s, what, err);
        free(what);
        return -1;
    }
    if (rc == JSONATA_FUNCTION)
        return expr_jsonata_fail(loc, s, "returned an unsupported result type.", err);
    if (!*out)
        return expr_jsonata_fail(loc, s, "returned nothing (undefined).", err);
    if (want_ok(want, *out))
        return 0;
    char *val = jout_compact(*out);
    char *what = xasprintf("returned an unexpected result type. Expected '%s', but was "
                           "'%s' for value: %s",
                           want_names[want], intr_type_name(*out), val);
    json_decref(*out);
    *out = NULL;
    expr_jsonata_fail(loc, s, what, err);
    free(what);
    free(val);
    return -1;
}

static int ja_walk(const struct expr_env *env, json_t *bindings, struct strbuf *loc,
                   json_t *v, enum expr_want want, json_t **out, struct expr_err *err)
{
    *out = NULL;
    if (json_is_string(v) && expr_is_jsonata(json_string_value(v)))
        return ja_eval_string(env, bindings, loc->buf, json_string_value(v), want, out,
                              err);
    if (!json_is_object(v) && !json_is_array(v)) {
        *out = json_incref(v);
        return 0;
    }
    size_t mark = loc->len;
    json_t *res = json_is_object(v) ? json_object() : json_array();
    const char *key;
    size_t i;
    json_t *m, *r;
    if (json_is_object(v)) {
        json_object_foreach(v, key, m)
        {
            strbuf_setlen(loc, mark);
            strbuf_addf(loc, "/%s", key);
            if (ja_walk(env, bindings, loc, m, EXPR_WANT_ANY, &r, err))
                goto bad;
            json_object_set_new(res, key, r);
        }
    } else {
        json_array_foreach(v, i, m)
        {
            strbuf_setlen(loc, mark);
            strbuf_addf(loc, "[%zu]", i);
            if (ja_walk(env, bindings, loc, m, EXPR_WANT_ANY, &r, err))
                goto bad;
            json_array_append_new(res, r);
        }
    }
    strbuf_setlen(loc, mark);
    *out = res;
    return 0;
bad:
    strbuf_setlen(loc, mark);
    json_decref(res);
    return -1;
}

int expr_jsonata(const struct expr_env *env, const char *field, json_t *value,
                 enum expr_want want, json_t **out, struct expr_err *err)
{
    *out = NULL;
    json_t *bindings = ja_bindings(env);
    struct strbuf loc = STRBUF_INIT;
    strbuf_adds(&loc, field);
    int rc = ja_walk(env, bindings, &loc, value, want, out, err);
    strbuf_release(&loc);
    json_decref(bindings);
    return rc;
}
