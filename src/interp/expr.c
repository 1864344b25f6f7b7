/*
 * The expression seam (see expr.h): JSONPath paths and intrinsic calls through the
 * jpath and intrinsics engines, payload templates, ResultPath, and a small cache of
 * compiled expressions so a long Map does not recompile the same path per item.
 */
#include "interp/expr.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdlib.h>
#include <string.h>

#define RUNTIME "States.Runtime"

/* ---- compiled-expression cache ------------------------------------------------------
 */

#define CACHE_SLOTS 4096 /* power of two; the cache is dropped when half full */

struct centry {
    char *text;
    enum jpath_kind kind;
    int is_call;
    struct jpath *path;
    struct intr_call *call;
    char *error; /* compile error message, when compiling failed */
};

static struct centry cache[CACHE_SLOTS];
static size_t cache_used;

void expr_cache_clear(void)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct centry *e = &cache[i];
        if (!e->text)
            continue;
        free(e->text);
        jpath_free(e->path);
        intr_free(e->call);
        free(e->error);
        memset(e, 0, sizeof(*e));
    }
    cache_used = 0;
}

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
    struct jpath_err jerr = {0};
    e->text = xstrdup(text);
    e->kind = kind;
    e->is_call = is_call;
    if (is_call)
        e->call = intr_compile(text, &jerr);
    else
        e->path = jpath_compile(text, kind, &jerr);
    if (!e->call && !e->path)
        e->error = xstrdup(jerr.msg[0] ? jerr.msg : "malformed expression");
    cache_used++;
    return e;
}

/* ---- helpers --------------------------------------------------------------------------
 */

static int fail(struct expr_err *err, const char *name, char *cause)
{
    err->name = name;
    err->cause = cause;
    return -1;
}

static int unsupported(const struct expr_env *env, struct expr_err *err)
{
    if (env->lang == EXPR_JSONPATH)
        return 0;
    return fail(err, RUNTIME,
                xstrdup("JSONata expressions are not supported by this "
                        "interpreter yet"));
}

void expr_err_release(struct expr_err *err)
{
    free(err->cause);
    err->cause = NULL;
    err->name = NULL;
}

/* Evaluates a compiled path; returns 0, EXPR_NOT_FOUND (msg in jerr) or -1. */
static int eval_path(const struct expr_env *env, const char *text, enum jpath_kind kind,
                     json_t *doc, json_t **out, struct jpath_err *jerr,
                     struct expr_err *err)
{
    *out = NULL;
    const struct centry *e = compiled(text, kind, 0);
    if (!e->path)
        return fail(err, RUNTIME, xasprintf("Invalid path '%s' : %s", text, e->error));
    memset(jerr, 0, sizeof(*jerr));
    int rc = jpath_eval(e->path, doc, env->context, env->vars, out, jerr);
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

int expr_path(const struct expr_env *env, const char *field, const char *path,
              json_t *doc, json_t **out, struct expr_err *err)
{
    (void)field;
    *out = NULL;
    if (unsupported(env, err))
        return -1;
    struct jpath_err jerr;
    int rc = eval_path(env, path, JPATH_PATH, doc, out, &jerr, err);
    if (rc == EXPR_NOT_FOUND)
        return fail(err, RUNTIME,
                    xasprintf("Invalid path '%s' : %s", path,
                              jerr.msg[0] ? jerr.msg : "No results for path"));
    return rc;
}

int expr_lookup(const struct expr_env *env, const char *path, json_t *doc, json_t **out,
                struct expr_err *err)
{
    *out = NULL;
    if (unsupported(env, err))
        return -1;
    struct jpath_err jerr;
    int rc = eval_path(env, path, JPATH_REFERENCE, doc, out, &jerr, err);
    if (rc == EXPR_NOT_FOUND) {
        err->name = NULL;
        err->cause = xasprintf("Invalid path '%s' : %s", path,
                               jerr.msg[0] ? jerr.msg : "No results for path");
    }
    return rc;
}

int expr_value(const struct expr_env *env, const char *field, const char *text,
               json_t *doc, json_t **out, struct expr_err *err)
{
    *out = NULL;
    if (unsupported(env, err))
        return -1;
    if (intr_is_call(text)) {
        const struct centry *e = compiled(text, JPATH_PATH, 1);
        if (!e->call)
            return fail(err, RUNTIME,
                        xasprintf("The value '%s' of the field '%s' is not a "
                                  "valid intrinsic function call: %s",
                                  text, field, e->error));
        struct intr_error ierr = {0};
        if (intr_eval(e->call, doc, env->context, env->vars, env->rng, out, &ierr)) {
            *out = NULL;
            return fail(err, ierr.name ? ierr.name : RUNTIME, xstrdup(ierr.cause));
        }
        return 0;
    }
    struct jpath_err jerr;
    int rc = eval_path(env, text, JPATH_PATH, doc, out, &jerr, err);
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
    if (unsupported(env, err))
        return -1;
    return walk_template(env, tmpl, doc, out, err);
}

int expr_assign_path(const struct expr_env *env, const char *ref, json_t *doc,
                     json_t *value, json_t **out, struct expr_err *err)
{
    *out = NULL;
    if (unsupported(env, err))
        return -1;
    const struct centry *e = compiled(ref, JPATH_REFERENCE, 0);
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
