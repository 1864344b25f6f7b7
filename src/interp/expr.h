/*
 * The interpreter's one seam to its expression languages: every path, payload template
 * and reference-path assignment the executor evaluates goes through here. JSONPath
 * (with intrinsic functions) behind expr_path/expr_value/expr_template, and JSONata
 * ({% %} strings anywhere in a field's value, $states and workflow variables bound)
 * behind expr_jsonata. Every expression is compiled once and cached.
 *
 * Ownership: json_t arguments are borrowed and never modified; values returned through
 * `out` are new references (which may share sub-values with the arguments, so never
 * mutate them in place).
 */
#ifndef WFGEN_EXPR_H
#define WFGEN_EXPR_H

#include "interp/intrinsics.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum expr_lang {
    EXPR_JSONPATH,
    EXPR_JSONATA,
};

/* What every expression may read besides its document ($). */
struct expr_env {
    enum expr_lang lang;
    json_t *context; /* $$ (JSONata: $states.context), or NULL: see context_fn */
    /* JSONPath: when context is NULL, builds $$ the first time an expression that
       refers to it is evaluated (borrowed result; most states never read $$) */
    json_t *(*context_fn)(void *arg);
    void *context_arg;
    json_t *vars;         /* object of visible variables, or NULL */
    struct intr_rng *rng; /* States.UUID, States.MathRandom, $random(), $uuid() */
    json_t *states;       /* JSONata: the $states object (borrowed), or NULL */
    int64_t now_ms;       /* JSONata: $now() and $millis(), the virtual clock */
};

/* A failed evaluation: AWS error name and cause (no state prefix). */
struct expr_err {
    const char *name; /* static string, e.g. "States.Runtime" */
    char *cause;      /* new string */
    char *location;   /* JSONata: new string naming the field ("Output/a"), or NULL */
};

/* The error every failed JSONata evaluation raises (catchable and retriable). */
#define EXPR_QUERY_ERROR "States.QueryEvaluationError"

/* Return value of expr_lookup when a definite path selects nothing. */
#define EXPR_NOT_FOUND 1

/*
 * Evaluates a path (InputPath, OutputPath, ItemsPath): Path, context path or variable
 * path. `field` names the field in messages. A path that selects nothing fails with
 * States.Runtime "Invalid path '<path>' : <reason>".
 */
int expr_path(const struct expr_env *env, const char *field, const char *path,
              json_t *doc, json_t **out, struct expr_err *err);

/*
 * Like expr_path for a reference path, but a missing node is not an error: returns
 * EXPR_NOT_FOUND (and *out is NULL; err->cause then holds the generic "Invalid path"
 * message, which the caller may use, and must release). For Choice rules and the
 * *Path fields of Wait and Map, whose messages differ per field.
 */
int expr_lookup(const struct expr_env *env, const char *path, json_t *doc, json_t **out,
                struct expr_err *err);

/*
 * Evaluates the value of one `.$` key: a path or an intrinsic call. A path that
 * selects nothing fails with "The JSONPath '<path>' specified for the field '<field>'
 * could not be found in the input '<doc>'".
 */
int expr_value(const struct expr_env *env, const char *field, const char *text,
               json_t *doc, json_t **out, struct expr_err *err);

/*
 * Evaluates a payload template (Parameters, ResultSelector, ItemSelector, Assign,
 * Credentials): every object member whose key ends in ".$" is replaced by the value
 * of its path or intrinsic call under the key without ".$", at any depth (objects
 * inside arrays too); everything else is copied literally.
 */
int expr_template(const struct expr_env *env, json_t *tmpl, json_t *doc, json_t **out,
                  struct expr_err *err);

/*
 * A path compiled once for many evaluations; expr_path_c and expr_assign_path_c give
 * what expr_path and expr_assign_path give for its text (the text is copied).
 */
struct expr_comp;
struct expr_comp *expr_comp_new(const char *text, enum jpath_kind kind);
int expr_path_c(const struct expr_env *env, const struct expr_comp *c, json_t *doc,
                json_t **out, struct expr_err *err);
int expr_assign_path_c(const struct expr_env *env, const struct expr_comp *c, json_t *doc,
                       json_t *value, json_t **out, struct expr_err *err);
void expr_comp_free(struct expr_comp *c);

/*
 * A payload template compiled once for many evaluations (the `.$` members found and
 * their paths and calls compiled). expr_tmpl_eval gives what expr_template gives for
 * the same template, errors included. The template (borrowed) must outlive it.
 */
struct expr_tmpl;
struct expr_tmpl *expr_tmpl_compile(json_t *tmpl);
int expr_tmpl_eval(const struct expr_env *env, const struct expr_tmpl *t, json_t *doc,
                   json_t **out, struct expr_err *err);
void expr_tmpl_free(struct expr_tmpl *t);

/*
 * ResultPath: writes `value` at reference path `ref` into a copy of `doc`. Fails with
 * States.ResultPathMatchFailure when the path crosses a value that is not an object.
 */
int expr_assign_path(const struct expr_env *env, const char *ref, json_t *doc,
                     json_t *value, json_t **out, struct expr_err *err);

/* What a JSONata field must evaluate to; checked for {% %} expressions only. */
enum expr_want {
    EXPR_WANT_ANY,
    EXPR_WANT_ARRAY,
    EXPR_WANT_BOOLEAN,
    EXPR_WANT_STRING,
    EXPR_WANT_NUMBER,
    EXPR_WANT_INTEGER, /* a number without a fraction */
};

/* True when s is a JSONata expression: exactly "{%" ... "%}", nothing around it. */
bool expr_is_jsonata(const char *s);

/*
 * JSONata: evaluates `value`, the value of the field `field` of a JSONata state. Every
 * string that is a {% %} expression is replaced by its result, at any depth (object
 * member values and array elements; keys are never evaluated); everything else is
 * copied. $states is env->states and every other $name a variable of env->vars.
 * `field` names the field in cause texts: "Output", "Choices[0]/Condition"; nested
 * positions add "/key" or "[index]". Fails with States.QueryEvaluationError and AWS's
 * cause text when an expression throws, returns nothing (undefined) or a function, or
 * (at the top level) a value of another type than `want`; err->location then names
 * the position.
 */
int expr_jsonata(const struct expr_env *env, const char *field, json_t *value,
                 enum expr_want want, json_t **out, struct expr_err *err);

/*
 * Fails with States.QueryEvaluationError and the cause "The JSONata expression '<text>'
 * specified for the field '<field>' <what>" (the expression text without its {% %} and
 * surrounding blanks). For range checks on an expression's result. Returns -1.
 */
int expr_jsonata_fail(const char *field, const char *text, const char *what,
                      struct expr_err *err);

void expr_err_release(struct expr_err *err);

/* Drops the compiled-expression cache. It lives across runs (a run of the same
 * definition reuses it) and clears itself when half full; call this to free it. */
void expr_cache_clear(void);

#endif
